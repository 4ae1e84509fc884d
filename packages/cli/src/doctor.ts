/**
 * `mooring doctor --backend URL`: can the backend be reached, how fast does it answer, and are the
 * server's settings safe for durable work? Each finding has a verdict (ok / warning / problem)
 * and a one-line why. Reads only: it never creates a file, a schema or a key.
 *
 * Exit status: 0 without problems (warnings allowed), 1 with at least one problem (including an
 * unreachable backend or a missing package or driver), 2 for a usage error.
 */
import { performance } from "node:perf_hooks";
import Table from "cli-table3";
import { type Backend, type CommonBackendOptions, type DoctorFinding, openBackend, redact, type SchemaState, type Verdict } from "@mooring/core";
import { loadOperations } from "./backends.js";
import { type CliIo, type Colors, colorsFor, describeError, widthOf, writeLines } from "./io.js";
import { type BackendKind, kindOfUrl } from "./targets.js";

/** Pings after the first (which may open the connection) timed for the latency figure. */
const PING_SAMPLES = 5;

export async function doctorCommand(options: { readonly backend: string }, io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  const url = options.backend;
  const kind = kindOfUrl(url);
  const findings = await examine(kind, url);
  const colors = colorsFor(io.stdout, env);
  writeLines(io.stdout, `mooring doctor: ${redact(url)}`);
  io.stdout.write(renderFindings(findings, colors, widthOf(io.stdout)));
  const problems = findings.filter((finding) => finding.verdict === "problem").length;
  const warnings = findings.filter((finding) => finding.verdict === "warning").length;
  const summary = [problems === 1 ? "1 problem" : `${problems} problems`, warnings === 1 ? "1 warning" : `${warnings} warnings`].join(", ");
  writeLines(io.stdout, problems > 0 ? colors.bold(colors.red(summary)) : warnings > 0 ? colors.yellow(summary) : colors.green(summary));
  return problems > 0 ? 1 : 0;
}

/** Every finding about the backend `url` names, from its package's `inspectServer`. Never rejects: a failure is a finding. */
export async function examine(kind: BackendKind, url: string): Promise<DoctorFinding[]> {
  try {
    const operations = await loadOperations(kind);
    return await operations.inspectServer(url, { reachability: () => pingThroughBackend(url, kind), schema: schemaFinding });
  } catch (error) {
    return [{ subject: "doctor", verdict: "problem", value: "could not finish", why: describeError(error) }];
  }
}

/** Opens the backend without migrating and pings it: reachability and latency as an application sees them. */
async function pingThroughBackend(url: string, kind: BackendKind): Promise<DoctorFinding> {
  let backend: Backend | undefined;
  const started = performance.now();
  try {
    // backend-redis reports settings through onWarning; the doctor reports them itself.
    const options: CommonBackendOptions & { readonly onWarning?: (message: string) => void } =
      kind === "redis" || kind === "redis-cluster" ? { migrate: false, onWarning: () => undefined } : { migrate: false };
    backend = await openBackend(url, options);
    await backend.ping();
    const first = performance.now() - started;
    const samples: number[] = [];
    for (let i = 0; i < PING_SAMPLES; i++) {
      const start = performance.now();
      await backend.ping();
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)] ?? 0;
    return { subject: "reachable", verdict: "ok", value: `ping ${milliseconds(median)}`, why: `median of ${PING_SAMPLES} pings; opening and the first ping took ${milliseconds(first)}` };
  } catch (error) {
    return { subject: "reachable", verdict: "problem", value: "no", why: describeError(error) };
  } finally {
    await backend?.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------

function schemaFinding(state: SchemaState | null): DoctorFinding {
  if (state === null) return { subject: "schema", verdict: "ok", value: "none", why: "this backend keeps no schema" };
  const latest = state.applied.at(-1);
  return latest === undefined
    ? { subject: "schema", verdict: "warning", value: "not migrated", why: `${state.location}: no migration applied yet; the backend migrates when it opens (or run mooring migrate)` }
    : { subject: "schema", verdict: "ok", value: `version ${latest.version}`, why: `${state.location}: last migration ${latest.name}` };
}

function renderFindings(findings: readonly DoctorFinding[], colors: Colors, width: number): string {
  const subjectWidth = Math.max(...findings.map((finding) => finding.subject.length)) + 2;
  const valueWidth = Math.min(32, Math.max("value".length, ...findings.map((finding) => finding.value.length)) + 2);
  const whyWidth = Math.max(30, width - subjectWidth - valueWidth - 11 - 5);
  const table = new Table({
    head: ["verdict", "setting", "value", "why"].map((text) => colors.bold(text)),
    colWidths: [11, subjectWidth, valueWidth, whyWidth],
    wordWrap: true,
    style: { head: [], border: [], "padding-left": 1, "padding-right": 1, compact: true },
  });
  for (const finding of findings) table.push([verdictText(finding.verdict, colors), finding.subject, finding.value, finding.why]);
  return `${table.toString()}\n`;
}

function verdictText(verdict: Verdict, colors: Colors): string {
  switch (verdict) {
    case "ok":
      return colors.green("ok");
    case "warning":
      return colors.yellow("warning");
    case "problem":
      return colors.bold(colors.red("PROBLEM"));
  }
}

function milliseconds(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`;
}

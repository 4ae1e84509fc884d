/**
 * Writes the measured parts of docs/choosing-a-backend.md from real runs, so that no figure on
 * that page is typed by hand: the benchmark tables from a `pnpm bench` JSON file and the
 * conformance summary from a `mooring conformance` matrix.json. Everything between
 * `<!-- generated:NAME -->` and `<!-- end:NAME -->` is replaced; the prose around it is kept.
 *
 *   node dist/docs.js --bench results/latest.json --matrix ../../reports/matrix.json --page ../../docs/choosing-a-backend.md
 *   node dist/docs.js --bench results/fairness.json --sections fairness --page ../../docs/choosing-a-backend.md
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { BenchReport } from "./report.js";

/** What the page reads of a `pnpm bench` report (the JSON document of report.ts). */
type BenchFile = Pick<BenchReport, "conditions" | "targets" | "results" | "comparisons" | "depth" | "fairness">;

interface MatrixFile {
  readonly generatedAt: string;
  readonly command: string;
  readonly backends: readonly {
    readonly label: string;
    readonly durationMs: number;
    readonly totals: { readonly checks: number; readonly passed: number; readonly failed: number; readonly skipped: number; readonly notDeclared: number };
  }[];
  readonly rules: readonly { readonly rule: string; readonly cells: Readonly<Record<string, { readonly status: string }>> }[];
}

const count = (value: number | null | undefined): string => (value == null ? "—" : Math.round(value).toLocaleString("en-US"));
const micros = (ms: number | null | undefined): string => (ms == null ? "—" : (ms * 1000).toFixed(ms < 0.1 ? 1 : 0));
const ratio = (value: number | null | undefined): string => (value == null ? "—" : `${value.toFixed(2)}×`);

/** The throughput table: one row per workload, one column per target. */
export function renderThroughput(bench: BenchFile): string {
  const targets = bench.targets.filter((target) => target.unavailable === null).map((target) => target.name);
  const workloads = [...new Map(bench.results.map((row) => [row.workload, row.title])).entries()];
  const lines = [`| workload | ${targets.join(" | ")} |`, `| --- | ${targets.map(() => "---:").join(" | ")} |`];
  for (const [workload, title] of workloads) {
    const cells = targets.map((target) => {
      const row = bench.results.find((r) => r.workload === workload && r.target === target);
      if (!row || row.skipped || row.error || !row.measurement) return "—";
      const concurrency = row.settings.concurrency ?? 1;
      return `${count(row.measurement.itemsPerSec)}${concurrency > 1 ? ` (c=${concurrency})` : ""}`;
    });
    if (cells.every((cell) => cell === "—")) continue;
    const unit = bench.results.find((r) => r.workload === workload)?.unit ?? "items";
    lines.push(`| ${title} (${unit}/s) | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Ratios against peers and baselines measured in the same run. */
export function renderComparisons(bench: BenchFile): string {
  const lines = ["| ours | workload | against | ratio |", "| --- | --- | --- | ---: |"];
  for (const c of bench.comparisons) {
    if (c.ratio === null) continue;
    const against = c.referenceWorkload === c.workload ? c.reference : `${c.reference} (${c.referenceWorkload})`;
    lines.push(`| ${c.target} | ${c.workload} | ${against} (${c.kind}) | ${ratio(c.ratio)} |`);
  }
  return lines.join("\n");
}

/** Claim latency at 1,000 and 1,000,000 ready tasks. */
export function renderDepth(bench: BenchFile): string {
  const lines = ["| target | p50 at 1,000 ready (µs) | p50 at 1,000,000 ready (µs) | ratio |", "| --- | ---: | ---: | ---: |"];
  for (const d of bench.depth) {
    lines.push(`| ${d.target} | ${micros(d.shallowP50Ms)} | ${micros(d.deepP50Ms)} | ${ratio(d.p50Ratio)} |`);
  }
  return lines.join("\n");
}

/**
 * The cost of E20's fair claim: each key count against the keyless rows of the same run, under a
 * line saying which run (the section may be regenerated from a run of its own rows).
 */
export function renderFairness(bench: BenchFile): string {
  const c = bench.conditions;
  const lines = [
    `From \`pnpm bench\` at ${c.startedAt} (profile ${c.profile}, ${c.cores} cores, load average ${c.loadAverageAtStart[0]?.toFixed(2)} at the start and ${c.loadAverageAtEnd?.[0]?.toFixed(2) ?? "unrecorded"} at the end):`,
    "",
    "| target | keys | claim p50 (µs) | without keys (µs) | ratio | drain (tasks/s) | without keys (tasks/s) | cost ratio |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const f of bench.fairness ?? []) {
    lines.push(
      `| ${f.target} | ${count(f.keys)} | ${micros(f.claimP50Ms)} | ${micros(f.keylessClaimP50Ms)} | ${ratio(f.claimP50Ratio)} | ${count(f.drainPerSec)} | ${count(f.keylessDrainPerSec)} | ${ratio(f.drainCostRatio)} |`,
    );
  }
  return lines.join("\n");
}

export function renderConditions(bench: BenchFile): string {
  const c = bench.conditions;
  return [
    `Measured ${c.startedAt} by \`pnpm bench\` (profile ${c.profile}) on ${c.cores} cores (${c.cpuModel}), Node ${c.node},`,
    `load average ${c.loadAverageAtStart[0]?.toFixed(2)} at the start and ${c.loadAverageAtEnd?.[0]?.toFixed(2) ?? "unrecorded"} at the end; servers on loopback.`,
    "Compare rows of this run with each other, not with other machines.",
  ].join(" ");
}

/** Per backend: checks run, passed, failed, and the rules that did not pass. */
export function renderConformance(matrix: MatrixFile): string {
  const lines = [
    `From \`${matrix.command}\` at ${matrix.generatedAt}:`,
    "",
    "| backend | checks | passed | failed | skipped | not declared | rules passed | time |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const backend of matrix.backends) {
    const rules = matrix.rules.filter((row) => row.cells[backend.label]);
    const passed = rules.filter((row) => row.cells[backend.label]?.status === "passed").length;
    const t = backend.totals;
    lines.push(
      `| ${backend.label} | ${t.checks} | ${t.passed} | ${t.failed} | ${t.skipped} | ${t.notDeclared} | ${passed} / ${rules.length} | ${(backend.durationMs / 1000).toFixed(0)} s |`,
    );
  }
  return lines.join("\n");
}

/** Replaces each generated section of `page`. @throws Error when a marker is missing. */
export function fillPage(page: string, sections: Readonly<Record<string, string>>): string {
  let result = page;
  for (const [name, body] of Object.entries(sections)) {
    const pattern = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- end:${name} -->)`);
    if (!pattern.test(result)) throw new Error(`the page has no <!-- generated:${name} --> … <!-- end:${name} --> section`);
    result = result.replace(pattern, (_match, open: string, close: string) => `${open}${body}\n${close}`);
  }
  return result;
}

function main(): void {
  const { values } = parseArgs({
    options: { bench: { type: "string" }, matrix: { type: "string" }, page: { type: "string" }, sections: { type: "string" } },
  });
  if (!values.page || (!values.bench && !values.matrix)) {
    throw new Error("usage: docs --page <markdown file> [--bench <bench json>] [--matrix <matrix.json>] [--sections <name,…>]");
  }
  const sections: Record<string, string> = {};
  if (values.bench) {
    const bench = JSON.parse(readFileSync(values.bench, "utf8")) as BenchFile;
    sections.conditions = renderConditions(bench);
    sections.throughput = renderThroughput(bench);
    sections.comparisons = renderComparisons(bench);
    sections.depth = renderDepth(bench);
    if (bench.fairness !== undefined) sections.fairness = renderFairness(bench);
  }
  if (values.matrix) sections.conformance = renderConformance(JSON.parse(readFileSync(values.matrix, "utf8")) as MatrixFile);
  // Only the named sections, when a run measured only their rows (the fairness rows, say).
  const only = values.sections?.split(",");
  const chosen = only ? Object.fromEntries(Object.entries(sections).filter(([name]) => only.includes(name))) : sections;
  writeFileSync(values.page, fillPage(readFileSync(values.page, "utf8"), chosen));
}

if (import.meta.url === `file://${process.argv[1]}`) main();

/**
 * Hostile input (SPEC C1, C2, C4): one call made and judged. Valid input must succeed (or meet a
 * state-dependent code), invalid input must throw VALIDATION, nothing may throw a raw error, and a
 * rejected call must leave the tenant exactly as it was, names a mangling backend would write to included.
 */
import { ERROR_CODES, type ErrorCode, MooringError } from "@mooring/core";
import { CheckTimeout } from "../../../hang.js";
import { AssertionError, brief, ensure, fail, sameData, within } from "../../support/index.js";
import { type Env } from "./fixtures.js";
import { type Verdict, isCleanText, isValidId } from "./oracle.js";

// ---------------------------------------------------------------------------------------------
// Judging one call

/** The names a backend that mangles strings would have written to instead of `text`. */
function mangledNames(text: string): string[] {
  const names = new Set<string>([text]);
  names.add(text.replace(/\p{Cs}/gu, "\uFFFD"));
  names.add(text.replaceAll("\u0000", ""));
  names.add(text.split("\u0000")[0] ?? "");
  if (isCleanText(text)) {
    names.add(text.normalize("NFC"));
    names.add(text.normalize("NFD"));
    names.add(text.trim());
  }
  const cut = Buffer.from(text, "utf8").subarray(0, 255).toString("utf8").replace(/\uFFFD$/u, "");
  names.add(cut);
  return [...names].filter(isValidId);
}

/**
 * Everything observable of the tenant that a call could have changed, through every capability the
 * backend declares (and only those); `probes` adds reads under those names.
 */
async function fingerprint(env: Env, probes: readonly string[], tenants: boolean): Promise<unknown> {
  const { view } = env;
  const read = <T>(what: string, call: () => Promise<T>): Promise<T> => within(call, `fingerprint read ${what}`);
  const names = [...new Set(probes.flatMap(mangledNames))];
  const probed: unknown[] = [];
  for (const name of names) {
    probed.push([
      name,
      env.declared("kv") ? await read("state.get", () => view.state.get(name)) : null,
      env.declared("events") ? await read("readEvents", () => view.workflows.readEvents(name)) : null,
      env.declared("runs") ? await read("listDefinitions", () => view.workflows.listDefinitions(name)) : null,
      env.declared("queueControl") ? await read("queueStats", () => view.engine.queueStats(name)) : null,
      tenants && env.declared("tenancy") ? await read("tenants.get", () => view.tenants.get(name)) : null,
    ]);
  }
  return {
    runs: env.declared("runs") ? await read("listRuns", () => view.workflows.listRuns({ limit: 1000 })) : null,
    events: env.declared("events") ? await read("readEvents", () => view.workflows.readEvents(env.runId)) : null,
    steps: env.declared("runs") ? await read("listSteps", () => view.workflows.listSteps(env.runId)) : null,
    snapshot: env.declared("snapshots") ? await read("latestSnapshot", () => view.workflows.latestSnapshot(env.runId)) : null,
    cached: env.declared("kv") ? await read("listSnapshots", () => view.state.listSnapshots({ limit: 1000 })) : null,
    values: await Promise.all([...env.keys].map((key) => read("state.get", () => view.state.get(key)))),
    tasks: await Promise.all(env.taskIds.map((id) => read("getTask", () => view.engine.getTask(id)))),
    queue: env.declared("queueControl") ? await read("queueStats", () => view.engine.queueStats(env.queue)) : null,
    dead: env.declared("deadLetter") ? await read("listDeadLetters", () => view.engine.listDeadLetters({ limit: 1000 })) : null,
    tokens: env.declared("tokens") ? await read("tokens.list", () => view.tokens.list()) : null,
    tenants: tenants && env.declared("tenancy") ? await read("tenants.list", () => view.tenants.list({ limit: 10_000 })) : null,
    probed,
  };
}

interface Attempt<T> {
  readonly what: string;
  readonly verdict: Verdict;
  readonly call: () => Promise<T> | T;
  /** Checks the effect of a successful call (the round trip). */
  readonly verify?: (value: T) => Promise<void> | void;
  /** Codes a valid call may meet because of the tenant's state (NOT_FOUND for an unknown run…). */
  readonly allowed?: readonly ErrorCode[];
  /** Strings of the call whose (mangled) names a rejected call must not have written to. */
  readonly probes?: readonly string[];
  /** Whether the call may touch tenant records (global), so that they join the fingerprint. */
  readonly tenants?: boolean;
}

/**
 * Makes one call and judges it (see the file comment). Resolves with the call's value when it
 * succeeded, else with undefined.
 */
export async function attempt<T>(env: Env, input: Attempt<T>): Promise<T | undefined> {
  const probes = input.probes ?? [];
  const before = await fingerprint(env, probes, input.tenants ?? false);
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await within(input.call, input.what) };
  } catch (error) {
    // A hang stays a timeout (the runner reports it as timed-out), never a judged outcome of the call.
    if (error instanceof AssertionError || error instanceof CheckTimeout) throw error;
    outcome = { ok: false, error };
  }
  if (outcome.ok) {
    ensure(input.verdict !== "invalid", `${input.what}: succeeded, but the input is invalid (SPEC C1 requires VALIDATION); it returned ${brief(outcome.value)}`);
    await input.verify?.(outcome.value);
    return outcome.value;
  }
  const { error } = outcome;
  if (!MooringError.is(error)) {
    const raw = error instanceof Error ? `${error.name}: ${error.message}` : brief(error);
    fail(`${input.what}: threw a non-Mooring error (SPEC C4: native errors never leak): ${raw}`);
  }
  ensure((ERROR_CODES as readonly string[]).includes(error.code), `${input.what}: threw a MooringError with the unlisted code ${error.code} (SPEC C4)`);
  if (input.verdict === "invalid") {
    ensure(error.code === "VALIDATION", `${input.what}: the input is invalid, so SPEC C1 requires VALIDATION; got ${error.code}: ${error.message}`);
  } else if (error.code !== "VALIDATION" || input.verdict === "valid") {
    const allowed = input.allowed ?? [];
    ensure(
      allowed.includes(error.code),
      `${input.what}: the input is valid, but the call threw ${error.code}: ${error.message}${allowed.length > 0 ? ` (expected success or ${allowed.join(", ")})` : ""}`,
    );
  }
  sameData(await fingerprint(env, probes, input.tenants ?? false), before, `${input.what}: the rejected call changed the tenant's state (SPEC C2)`);
  return undefined;
}


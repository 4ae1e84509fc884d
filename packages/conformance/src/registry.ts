/**
 * The checks: plain async functions keyed by rule (SPEC K1). The runner calls them; vitest and the
 * `mooring` command only bind them.
 */
import type { Backend, CapabilityName, ManualClock } from "@mooring/core";
import type { RuleId } from "./rules.js";

/** fast-check settings for one property run (SPEC K6, K7). */
export interface PropertySettings {
  /** Runs per property: `MOORING_FC_RUNS` or the runner's `numRuns`, default 100. */
  readonly numRuns: number;
  /**
   * The seed of the check's property runs: the runner draws a fresh one per check unless
   * `MOORING_FC_SEED` or its `seed` option fixes it; with `path` it replays one failure.
   */
  readonly seed?: number;
  readonly path?: string;
  /**
   * The package whose test run executes the kit (for the one-line replay command of a failure,
   * `pnpm --filter <packageName> exec vitest run -t "<check id>"`); absent when unknown.
   */
  readonly packageName?: string;
}

/** What every check receives, whichever clock the backend under test runs on. */
export interface BackendClockContext {
  /** The id of the check being run (`Check.id`), e.g. for the replay command of a failure. */
  readonly checkId: string;
  /** The root view of a backend on a fresh namespace. */
  readonly backend: Backend;
  /** The namespace `backend` was created in. */
  readonly namespace: string;
  /**
   * Another client of the same store (a separate connection where the backend has connections),
   * for race tests (SPEC K3). It runs on the same clock as `backend`. Closed by the runner.
   */
  connect(): Promise<Backend>;
  /**
   * A client of the same store under another fresh namespace, on the same clock: for the checks
   * that namespaces sharing a store are apart (SPEC T1). Closed and torn down by the runner.
   */
  openNamespace(): Promise<Backend>;
  /** A unique name for this check: `${prefix}-${random}`. Use it for ids, queues and tenants. */
  unique(prefix: string): string;
  readonly property: PropertySettings;
  /**
   * Tells the runner's hang detector that the check is making progress, and yields the event loop
   * now and then. `assertProperty` calls it after every property run; a long check of another kind
   * calls it between its steps. The runner reports a check "timed-out" only after a long time
   * without it (10 minutes by default), so no check depends on how fast the machine is.
   */
  progress(): Promise<void>;
}

/** The context of a check on the kit's clock (the default): `backend` was created with `clock` injected. */
export interface CheckContext extends BackendClockContext {
  /** The kit's manual clock; advance it instead of sleeping. Shared by every client of the check. */
  readonly clock: ManualClock;
}

export type CheckKind = "example" | "property" | "race";

interface CheckInfo {
  /** `${rule}.${slug}`, unique across the registry, e.g. "E4.single-claimer". */
  readonly id: string;
  readonly rule: RuleId;
  readonly title: string;
  /** Capabilities the check exercises; any undeclared one makes the result "not-declared". */
  readonly requires: readonly CapabilityName[];
  readonly kind: CheckKind;
}

/** A check on the kit's ManualClock (SPEC C3: an injected clock decides every time). */
export interface KitClockCheck extends CheckInfo {
  /** Absent or "kit": the runner injects a fresh ManualClock and hands it to `run`. */
  readonly clock?: "kit";
  run(context: CheckContext): Promise<void>;
}

/**
 * A check on the backend's own clock (SPEC C3: without an injected clock a server backend uses the
 * server's, memory and SQLite `Date.now()`). The runner calls `create` with `clock: undefined`,
 * so real time passes as it does: such a check compares the backend's times with wall-clock
 * readings within a tolerance, and never waits.
 */
export interface BackendClockCheck extends CheckInfo {
  readonly clock: "backend";
  run(context: BackendClockContext): Promise<void>;
}

export type Check = KitClockCheck | BackendClockCheck;

/** Declares a check; the id must start with its rule. */
export function defineCheck(check: Check): Check {
  if (!check.id.startsWith(`${check.rule}.`)) throw new Error(`check id ${check.id} must start with "${check.rule}."`);
  return Object.freeze(check);
}

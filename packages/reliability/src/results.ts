/**
 * What a scenario run reports: the figures of the reliability table (docs/reliability.md) and
 * every violation found. Scenarios return violations instead of throwing, so that the report can
 * print a failing row with its seed; tests assert the list is empty.
 */
import type { BackendKind } from "./servers.js";

export const SCENARIOS = ["worker-crashes", "load", "secrets"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ScenarioResult {
  readonly scenario: ScenarioName;
  readonly backend: BackendKind;
  /** The seed that replays the run's schedule (`MOORING_SEED`), null when nothing was random. */
  readonly seed: number | null;
  /** Faults injected: worker kills and freezes, forced lease expiries. */
  readonly faults: number;
  /** The faults by kind, e.g. `{ SIGKILL: 6, SIGSTOP: 2 }`; empty when none were injected. */
  readonly faultKinds: Readonly<Record<string, number>>;
  /** Operations performed and checked (recorded calls, or values examined for secrets). */
  readonly operations: number;
  /** Tasks (or acknowledged writes) that ended without their outcome: 0 expected. */
  readonly lost: number;
  /** Tasks settled more than once, or terminal events written more than once: 0 expected. */
  readonly duplicated: number;
  readonly durationMs: number;
  /** Every broken promise found, each naming the rule; empty when the run passed. */
  readonly violations: readonly string[];
  /** Further figures worth printing (stale commits rejected, reclaims, throughput, …). */
  readonly notes: readonly string[];
}

/** "6 SIGKILL, 2 SIGSTOP", or "none". */
export function describeFaults(kinds: Readonly<Record<string, number>>): string {
  const parts = Object.entries(kinds)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${kind}`);
  return parts.length > 0 ? parts.join(", ") : "none";
}

/** The fault counts of several runs, added up by kind. */
export function addFaults(results: readonly ScenarioResult[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const result of results) for (const [kind, count] of Object.entries(result.faultKinds)) total[kind] = (total[kind] ?? 0) + count;
  return total;
}

/** One line for logs and failure messages. */
export function summarize(result: ScenarioResult): string {
  const seed = result.seed === null ? "" : ` seed ${result.seed}`;
  const verdict = result.violations.length === 0 ? "ok" : `${result.violations.length} violation(s)`;
  return `${result.scenario} on ${result.backend}${seed}: ${verdict}; faults ${result.faults} (${describeFaults(result.faultKinds)}); operations ${result.operations}; lost ${result.lost}; duplicated ${result.duplicated}; ${(result.durationMs / 1000).toFixed(1)} s${result.notes.length > 0 ? `; ${result.notes.join("; ")}` : ""}`;
}

/** A failure message listing the violations, with the replay command's seed. */
export function describeViolations(result: ScenarioResult, limit = 20): string {
  const shown = result.violations.slice(0, limit).map((violation) => `  - ${violation}`);
  const more = result.violations.length > limit ? [`  … and ${result.violations.length - limit} more`] : [];
  const replay = result.seed === null ? [] : [`replay with MOORING_SEED=${result.seed}`];
  return [summarize(result), ...shown, ...more, ...replay].join("\n");
}

/**
 * Defaults and the small pieces of contract arithmetic every backend shares, so that no backend
 * computes a backoff or a default differently.
 */
import type { Backoff, EnqueueInput, Value } from "./types.js";

export const DEFAULTS = Object.freeze({
  /** SPEC C1 */
  maxPayloadBytes: 1024 * 1024,
  /** SPEC E1 */
  priority: 0,
  maxAttempts: 3,
  backoff: Object.freeze({ baseMs: 1000, factor: 2, maxMs: 300_000 }) as Backoff,
  /** SPEC E2: how long an idempotency key keeps deduplicating. */
  dedupTtlMs: 24 * 60 * 60 * 1000,
  /** SPEC E15: how long an undelivered signal stays buffered. */
  signalTtlMs: 24 * 60 * 60 * 1000,
  /** SPEC E3 */
  claimLimit: 1,
  /** SPEC E10 */
  reclaimLimit: 100,
  /** The lastError of a task whose lease expired (SPEC E10). */
  leaseExpiredError: "lease expired",
  /** The cancel reason of a dependent whose dependency failed (SPEC E16). */
  dependencyFailedReason: "dependency_failed",
});

/** Limits every backend takes as options. */
export interface Limits {
  readonly maxPayloadBytes: number;
  readonly dedupTtlMs: number;
  readonly signalTtlMs: number;
}

export function resolveLimits(options: Partial<Limits> = {}): Limits {
  return Object.freeze({
    maxPayloadBytes: options.maxPayloadBytes ?? DEFAULTS.maxPayloadBytes,
    dedupTtlMs: options.dedupTtlMs ?? DEFAULTS.dedupTtlMs,
    signalTtlMs: options.signalTtlMs ?? DEFAULTS.signalTtlMs,
  });
}

/** An enqueue input with every default applied. */
export interface ResolvedEnqueue {
  readonly queue: string;
  readonly payload: Value;
  readonly priority: number;
  readonly runAt: number;
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  readonly idempotencyKey: string | null;
  readonly dependsOn: readonly string[];
  readonly runId: string | null;
  readonly concurrencyKey: string | null;
}

export function resolveEnqueue(input: EnqueueInput, now: number): ResolvedEnqueue {
  return {
    queue: input.queue,
    payload: input.payload ?? null,
    priority: input.priority ?? DEFAULTS.priority,
    runAt: input.runAt ?? now,
    maxAttempts: input.maxAttempts ?? DEFAULTS.maxAttempts,
    backoff: { ...DEFAULTS.backoff, ...input.backoff },
    idempotencyKey: input.idempotencyKey ?? null,
    dependsOn: [...new Set(input.dependsOn ?? [])],
    runId: input.runId ?? null,
    concurrencyKey: input.concurrencyKey ?? null,
  };
}

/** The delay before retry `attempt` + 1: min(baseMs · factor^(attempt−1), maxMs). @see SPEC E8 */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  const raw = backoff.baseMs * Math.pow(backoff.factor, Math.max(0, attempt - 1));
  return Math.min(Math.round(raw), backoff.maxMs);
}

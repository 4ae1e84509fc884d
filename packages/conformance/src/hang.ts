/**
 * Hang detection. The kit never judges a backend by how fast the machine runs it: a bound on real
 * time exists only to turn a hang into a report, so each one is far larger than any wait a slow,
 * busy machine can cause, and tripping one is a timeout (`CheckTimeout`), which the runner reports
 * as "timed-out", never as a broken rule.
 */
import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * The longest one awaited call or event may take in real time before the kit calls it a hang
 * (5 minutes: a call that takes 50 ms on an idle machine takes seconds at a load of 20 on 2 cores,
 * not minutes).
 */
export const HANG_MS = 300_000;

/**
 * The longest a check may go without progress (a property run finished, a hang-bounded call
 * settled) before the runner calls it a hang: 10 minutes. A long property keeps reporting
 * progress, so the bound scales with the work instead of capping it.
 */
export const CHECK_IDLE_MS = 600_000;

/** A wait that passed its hang bound: the run is broken or the machine stalled; no rule was judged. */
export class CheckTimeout extends Error {
  override readonly name = "CheckTimeout";
}

/**
 * Resolves or rejects as `promise` does, or rejects with a `CheckTimeout` naming `what` after `ms`
 * of real time.
 */
export async function withinHangBound<T>(promise: Promise<T>, what: string, ms = HANG_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(`${what} did not settle within ${ms} ms (a hang)`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long a check may hold the event loop in microtasks before `Heartbeat.beat` yields it. */
const YIELD_EVERY_MS = 20;

/**
 * A check's progress, for the runner's idle watchdog. `beat()` also yields to the event loop now
 * and then: a check on an in-process backend (memory, SQLite) resolves every promise as a microtask
 * and would otherwise never let timers and messages through, so the test framework's own
 * messages (vitest's worker RPC) would time out on a busy machine.
 */
export class Heartbeat {
  #last = performance.now();
  #yielded = performance.now();

  /** Milliseconds since the last beat. */
  idleMs(): number {
    return performance.now() - this.#last;
  }

  async beat(): Promise<void> {
    const now = performance.now();
    this.#last = now;
    if (now - this.#yielded < YIELD_EVERY_MS) return;
    await nextTurn();
    this.#yielded = performance.now();
  }

  /**
   * Resolves or rejects as `promise` does, or rejects with a `CheckTimeout` once no beat came for
   * `idleMs`. Checks every `idleMs / 10` (at most every 10 s).
   */
  async watch<T>(promise: Promise<T>, idleMs: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setInterval(
        () => {
          if (this.idleMs() >= idleMs) reject(new CheckTimeout(`${what} made no progress for ${idleMs} ms (a hang)`));
        },
        Math.min(10_000, Math.max(1, Math.floor(idleMs / 10))),
      );
      timer.unref();
    });
    try {
      return await Promise.race([promise, hang]);
    } finally {
      clearInterval(timer);
    }
  }
}

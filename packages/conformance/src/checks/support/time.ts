/**
 * Time in checks. Every time decision of a backend runs on the manual clock, which only
 * `advanceTo` (or `clock.advance`) moves. Real time appears only as a hang bound (`hang.ts`): a
 * wait on something a backend delivers asynchronously (SPEC E19), or any call a check must not let
 * hang, fails with a `CheckTimeout` after `HANG_MS`. That is a timeout, never a judgement of speed
 * and never an assertion failure.
 */
import type { ManualClock } from "@mooring/core";
import { CheckTimeout, HANG_MS, withinHangBound } from "../../hang.js";
import { show } from "./preview.js";

/** A long real-time timeout that a correct wait (SPEC E19, W16, E28) never reaches in a check. */
export const LONG_WAIT_MS = 60_000;

/** Lets callbacks and I/O already under way run, without waiting any fixed time. */
export async function yieldToEventLoop(times = 3): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Moves the manual clock forward to `time` with `advance` (the kit's only way to move time).
 * @throws when `time` is in the past: a check that asks for that has a bug.
 */
export function advanceTo(clock: ManualClock, time: number): void {
  const delta = time - clock.now();
  if (delta < 0) throw new Error(`advanceTo(${time}) is ${-delta} ms in the past`);
  clock.advance(delta);
}

/**
 * Entries expiring at one moment, more than a store that removes expired entries a few at a time
 * (memory: 64 a call) removes in one call, so that the oldest is still there a few calls later.
 */
export const EXPIRY_BACKLOG = 200;

/**
 * Calls after an expiry that together remove twice an `EXPIRY_BACKLOG` 64 at a time (a signal
 * leaves two entries: its idempotency key and the buffered signal).
 */
export const EXPIRY_REPEATS = 8;

/**
 * Resolves or rejects as `call` does (a promise, or a function whose synchronous throw counts as a
 * rejection), or fails with a `CheckTimeout` naming `what` after `HANG_MS` of real time. Never used
 * to let time pass: only a hang trips it.
 */
export function within<T>(call: Promise<T> | (() => Promise<T> | T), what: string): Promise<T> {
  return withinHangBound(typeof call === "function" ? Promise.resolve().then(call) : call, what);
}

/**
 * Polls `condition` until it holds, or fails with a `CheckTimeout` after `HANG_MS` of real time
 * naming `what` and the last value `describe` gives. Polling stops at the first success, so nothing
 * waits a fixed time.
 */
export async function eventually(condition: () => boolean, what: string, describe: () => unknown = () => undefined): Promise<void> {
  const deadline = Date.now() + HANG_MS;
  while (!condition()) {
    if (Date.now() >= deadline) throw new CheckTimeout(`${what}: not true after ${HANG_MS} ms (a hang); observed ${show(describe())}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 2));
  }
}

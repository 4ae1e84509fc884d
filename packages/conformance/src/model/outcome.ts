/**
 * What a model operation predicts: the value a conforming backend returns, or the error code it
 * throws. A model operation that predicts an error changes nothing (SPEC C2).
 */
import type { ErrorCode } from "@mooring/core";

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: ErrorCode };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });

export const rejected = <T = never>(code: ErrorCode): Outcome<T> => ({ ok: false, code });

/** The value of an outcome the caller knows to be ok; throws (a model bug) otherwise. */
export function valueOf<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`model outcome is ${outcome.code}, expected a value`);
  return outcome.value;
}

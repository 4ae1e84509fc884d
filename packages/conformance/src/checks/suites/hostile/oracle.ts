/** Hostile input (SPEC C1): what the SPEC accepts, judged by an oracle written independently of core's validation. */
import { DEFAULTS } from "@mooring/core";

// ---------------------------------------------------------------------------------------------
// The oracle: what SPEC C1 accepts, written independently of core's validation

/** Whether `text` is well-formed Unicode without U+0000. */
export function isCleanText(text: string): boolean {
  return !text.includes("\u0000") && !/\p{Cs}/u.test(text);
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** An id, key, queue name or tenant id (SPEC C1). */
export function isValidId(text: string): boolean {
  return text.length > 0 && isCleanText(text) && utf8Bytes(text) <= 255;
}

/** A free-text field (names, reasons, messages). */
export function isValidText(text: string, maxBytes = 4096): boolean {
  return isCleanText(text) && utf8Bytes(text) <= maxBytes;
}

/** The deepest level at which a node sits (the root at 0); -1 when `value` is not JSON. */
function jsonDepth(value: unknown): number {
  if (value === null || typeof value === "boolean" || typeof value === "string") return 0;
  if (typeof value === "number") return Number.isFinite(value) ? 0 : -1;
  if (typeof value !== "object") return -1;
  const children = Array.isArray(value) ? value : Object.values(value);
  let deepest = 0;
  for (const child of children) {
    const depth = jsonDepth(child);
    if (depth < 0) return -1;
    deepest = Math.max(deepest, depth + 1);
  }
  return deepest;
}

function jsonStringsClean(value: unknown): boolean {
  if (typeof value === "string") return isCleanText(value);
  if (Array.isArray(value)) return value.every(jsonStringsClean);
  if (typeof value === "object" && value !== null) return Object.entries(value).every(([key, member]) => isCleanText(key) && jsonStringsClean(member));
  return true;
}

/** Whether `value` is a JSON payload SPEC C1 accepts: finite numbers, clean strings, ≤ 256 levels, ≤ maxPayloadBytes. */
export function isValidJson(value: unknown, maxBytes: number = DEFAULTS.maxPayloadBytes): boolean {
  const depth = jsonDepth(value);
  return depth >= 0 && depth <= 256 && jsonStringsClean(value) && utf8Bytes(JSON.stringify(value)) <= maxBytes;
}

/** What the oracle expects of a call: success, VALIDATION, or either (where the contract leaves it open). */
export type Verdict = "valid" | "invalid" | "either";

export const verdict = (valid: boolean): Verdict => (valid ? "valid" : "invalid");

/** An event payload is one payload: the same depth and size limits as every other JSON value (C1). */
export function eventPayloadVerdict(payload: unknown): Verdict {
  return verdict(isValidJson(payload));
}

/** Whether a cursor argument is valid text (at most 1 KiB). */
export const isCursorText = (text: string): boolean => isValidText(text, 1024);

/** Number predicates of the numeric parameters. */
export const isSafeInt = (n: number): boolean => Number.isSafeInteger(n);
export const isPositiveInt = (n: number, max = Number.MAX_SAFE_INTEGER): boolean => isSafeInt(n) && n > 0 && n <= max;
export const isNonNegativeInt = (n: number): boolean => isSafeInt(n) && n >= 0;

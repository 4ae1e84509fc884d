/**
 * JSON value rules every backend and the kit share: equality where object member order does not
 * matter (SPEC W1's "same definition", W7's "same event") and the text that makes equal values
 * equal strings.
 */
import type { Json, JsonObject, Value, ValueObject } from "../types.js";

/**
 * JSON text with object members sorted by key, so that values equal as JSON (member order aside)
 * have equal text. Negative zero is written `0`, as `JSON.stringify` writes it.
 */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const members = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as Json)}`);
  return `{${members.join(",")}}`;
}

/** JSON equality: object member order does not matter, array order does. */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => jsonEqual(item, b[index] as Json));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key] as Json, b[key] as Json));
}

/**
 * A value as JSON, for a backend that does not declare `binary` (SPEC W13): core's guard answers
 * UNSUPPORTED before such a driver sees a value holding bytes, so what reaches it is JSON. Only
 * narrows the type; the value is returned as it is.
 */
export function asJson<T extends Value | undefined>(value: T): T extends ValueObject ? JsonObject : T extends undefined ? Json | undefined : Json {
  return value as never;
}

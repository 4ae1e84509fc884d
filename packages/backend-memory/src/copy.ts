/**
 * Copies on the way in and out, so that a caller mutating an object it passed or received never
 * changes what the store holds, and JSON equality for idempotent writes.
 */
import type { Json, JsonObject } from "@mooring/core";

/**
 * A deep copy of a JSON value (validated by core: plain objects and arrays, at most
 * MAX_JSON_DEPTH deep). Faster than `structuredClone` for the small payloads of the hot path.
 */
export function copyJson<T extends Json>(value: T): T {
  if (typeof value !== "object" || value === null) {
    // JSON has no negative zero; every other backend reads -0 back as 0.
    return (value === 0 ? 0 : value) as T;
  }
  if (Array.isArray(value)) return value.map((item: Json) => copyJson(item)) as T;
  const copy: JsonObject = {};
  for (const key of Object.keys(value)) {
    const member = copyJson((value as JsonObject)[key] as Json);
    // An own "__proto__" member (JSON.parse makes them) must stay data, not become the prototype.
    if (key === "__proto__") Object.defineProperty(copy, key, { value: member, enumerable: true, writable: true, configurable: true });
    else copy[key] = member;
  }
  return copy as T;
}

/** A copy of optional JSON, with null for absent. */
export function copyOptionalJson(value: Json | undefined): Json {
  return value === undefined ? null : copyJson(value);
}

/** A copy of bytes in a buffer of their own (a Node Buffer's `slice` would share memory). */
export function copyBytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}

/** Whether two byte arrays hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Copies on the way in and out, so that a caller mutating an object it passed or received never
 * changes what the store holds, and JSON equality for idempotent writes.
 */
import type { Value, ValueObject } from "@mooring/core";

/**
 * A deep copy of a JSON value, or of a value holding bytes (SPEC W13: each byte array is copied
 * into a plain Uint8Array of its own), validated by core: plain objects and arrays, at most
 * MAX_JSON_DEPTH deep. Faster than `structuredClone` for the small payloads of the hot path.
 */
export function copyJson<T extends Value>(value: T): T {
  if (typeof value !== "object" || value === null) {
    // JSON has no negative zero; every other backend reads -0 back as 0.
    return (value === 0 ? 0 : value) as T;
  }
  if (value instanceof Uint8Array) return copyBytes(value) as T;
  if (Array.isArray(value)) return value.map((item: Value) => copyJson(item)) as T;
  const copy: ValueObject = {};
  for (const key of Object.keys(value)) {
    const member = copyJson((value as ValueObject)[key] as Value);
    // An own "__proto__" member (JSON.parse makes them) must stay data, not become the prototype.
    if (key === "__proto__") Object.defineProperty(copy, key, { value: member, enumerable: true, writable: true, configurable: true });
    else copy[key] = member;
  }
  return copy as T;
}

/** A copy of an optional value, with null for absent. */
export function copyOptionalJson<T extends Value>(value: T | undefined): T | null {
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

/** JSON helpers of the model: copies so callers never alias model state, and value equality. */
import type { Json } from "@mooring/core";

/** A deep copy of plain data (JSON values, byte arrays, records of them). */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

/** JSON equality where object member order does not matter (docs/decisions.md, definitions). */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => jsonEqual(item, b[index] as Json));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => key in b && jsonEqual(a[key] as Json, b[key] as Json));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, index) => byte === b[index]);
}

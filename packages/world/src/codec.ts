/**
 * How the World's values become Mooring `Value`s and back.
 *
 * The Workflow runtime hands the World byte arrays (`SerializedData`: inputs, outputs, errors,
 * hook payloads, stream chunks), `Date`s (`resumeAt`, `retryAfter`) and objects with `undefined`
 * members. Mooring accepts JSON plus, on a backend that declares `binary` (SPEC W13), byte arrays.
 *
 * - `Date`s are written as ISO strings; the World's zod schemas (`z.coerce.date()`) turn them back.
 * - `undefined` members are left out, as `JSON.stringify` would.
 * - Bytes are kept as bytes when the backend declares `binary` ("native"). Otherwise ("json")
 *   each byte array becomes `{ "$bytes": "<base64>" }` and every object member whose name starts
 *   with `$` gets one more `$`, so that a caller's own `{ "$bytes": … }` reads back as itself: the
 *   encoding docs/decisions.md fixes for nested bytes, applied by the World itself (with
 *   core's `encodeNestedBytes`) because the store cannot. This fallback is chosen by capability and reported (`MooringWorld.bytes`), never
 *   silent: see docs/decisions.md, "@mooring/world".
 */
import { type Json, type Value, decodeNestedBytes, encodeNestedBytes } from "@mooring/core";

/** `native`: bytes stored as bytes (W13); `json`: bytes stored as base64 inside JSON. */
export type BytesEncoding = "native" | "json";

/** Encodes a World value for Mooring. */
export function encodeValue(value: unknown, bytes: BytesEncoding): Value | undefined {
  const plain = plainValue(value);
  return bytes === "json" && plain !== undefined ? encodeNestedBytes(plain) : plain;
}

/** Decodes what `encodeValue` wrote; `Uint8Array`s come back as `Uint8Array`s either way. */
export function decodeValue(value: Value, bytes: BytesEncoding): unknown {
  // Stored JSON holds no byte arrays, so in "json" mode the value read is JSON.
  return bytes === "json" ? decodeNestedBytes(value as Json) : value;
}

/** The runtime's value as a Mooring value with its bytes as they are (a copy of each array). */
function plainValue(value: unknown): Value | undefined {
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return undefined;
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") throw new TypeError("a BigInt cannot be stored");
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => plainValue(item) ?? null);
  const out: { [key: string]: Value } = {};
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    const encoded = plainValue(member);
    // As data, also for a member named `__proto__` (which assignment would not set).
    if (encoded !== undefined) Object.defineProperty(out, key, { value: encoded, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

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
 *   encoding docs/decisions.md fixes for nested bytes, applied by the World itself because the
 *   store cannot. This fallback is chosen by capability and reported (`MooringWorld.bytes`), never
 *   silent: see docs/decisions.md, "@mooring/world".
 */
import type { Value } from "@mooring/core";

/** `native`: bytes stored as bytes (W13); `json`: bytes stored as base64 inside JSON. */
export type BytesEncoding = "native" | "json";

const BYTES_MEMBER = "$bytes";

/** Encodes a World value for Mooring. */
export function encodeValue(value: unknown, bytes: BytesEncoding): Value | undefined {
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return undefined;
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") throw new TypeError("a BigInt cannot be stored");
  if (value instanceof Uint8Array) {
    if (bytes === "native") return new Uint8Array(value);
    return { [BYTES_MEMBER]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => encodeValue(item, bytes) ?? null);
  const out: { [key: string]: Value } = {};
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    const encoded = encodeValue(member, bytes);
    if (encoded === undefined) continue;
    out[bytes === "json" && key.startsWith("$") ? `$${key}` : key] = encoded;
  }
  return out;
}

/** Decodes what `encodeValue` wrote; `Uint8Array`s come back as `Uint8Array`s either way. */
export function decodeValue(value: Value, bytes: BytesEncoding): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((item) => decodeValue(item, bytes));
  const keys = Object.keys(value);
  if (bytes === "json" && keys.length === 1 && keys[0] === BYTES_MEMBER && typeof value[BYTES_MEMBER] === "string") {
    return new Uint8Array(Buffer.from(value[BYTES_MEMBER], "base64"));
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    out[bytes === "json" && key.startsWith("$$") ? key.slice(1) : key] = decodeValue(value[key] as Value, bytes);
  }
  return out;
}

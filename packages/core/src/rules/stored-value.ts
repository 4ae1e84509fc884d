/**
 * How a store without a bytes type inside its JSON keeps a `Value` (SPEC W13; docs/decisions.md,
 * "W13 nested bytes in a store"), shared by the SQL and Redis backends so that the three encode
 * and decode it the same way:
 *
 * - a value without bytes is its JSON, exactly as stored before W13 (kind `null`);
 * - a value that is a byte array is kept in the store's bytes type (kind `"bytes"`);
 * - a value with bytes inside JSON is JSON in which each byte array is `{"$bytes":"<base64>"}`
 *   and each of the caller's member names that starts with `$` has one more `$` (kind
 *   `"nested"`). The escape makes the form injective: a caller's `{"$bytes":"AAEC"}` is stored as
 *   `{"$$bytes":"AAEC"}`, so a single-member `$bytes` object can only be an encoded byte array.
 */
import type { Json, JsonObject, Value, ValueObject } from "../types.js";
import { containsBytes } from "../validation.js";

/** What a stored value's kind marker says: `null` for plain JSON, as stored before W13. */
export type StoredValueKind = "bytes" | "nested";

/** A value as a store keeps it: JSON (plain or the nested form), or bytes, and the kind marker. */
export interface StoredValue {
  readonly kind: StoredValueKind | null;
  /** The value's JSON, its nested form (kind "nested"), or null (kind "bytes"). */
  readonly json: Json;
  /** The byte array (kind "bytes"), else null. */
  readonly bytes: Uint8Array | null;
}

const BYTES_MEMBER = "$bytes";

/** The stored form of a value validated by core (`undefined` is stored as JSON null). */
export function encodeStoredValue(value: Value | undefined): StoredValue {
  if (value instanceof Uint8Array) return { kind: "bytes", json: null, bytes: value };
  if (value === undefined) return { kind: null, json: null, bytes: null };
  if (!containsBytes(value)) return { kind: null, json: value as Json, bytes: null };
  return { kind: "nested", json: encodeNestedBytes(value), bytes: null };
}

/**
 * The parameters of a value's columns in a SQL store: its JSON text, kind marker and bytes (a
 * Buffer over the caller's memory, as drivers bind it; the driver copies it into the statement).
 */
export function storedValueColumns(value: Value | undefined): [text: string, kind: StoredValueKind | null, bytes: Buffer | null] {
  const stored = encodeStoredValue(value);
  const bytes = stored.bytes === null ? null : Buffer.from(stored.bytes.buffer, stored.bytes.byteOffset, stored.bytes.byteLength);
  return [JSON.stringify(stored.json), stored.kind, bytes];
}

/**
 * The value a stored form holds. Bytes come back as plain `Uint8Array`s of their own (never a
 * Node Buffer, never sharing the driver's memory). A kind this module does not know is a store
 * written by newer code: it is refused rather than misread.
 */
export function decodeStoredValue(kind: string | null, json: Json, bytes: Uint8Array | null): Value {
  switch (kind) {
    case null:
      return json;
    case "bytes":
      if (bytes === null) throw new TypeError("a stored value of kind bytes has no bytes");
      return new Uint8Array(bytes);
    case "nested":
      return decodeNestedBytes(json);
    default:
      throw new TypeError(`a stored value of unknown kind ${JSON.stringify(kind)}`);
  }
}

/** A value with bytes as JSON: each byte array `{"$bytes":"<base64>"}`, caller `$` names escaped. */
export function encodeNestedBytes(value: Value): Json {
  if (value instanceof Uint8Array) return { [BYTES_MEMBER]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(encodeNestedBytes);
  const encoded: JsonObject = {};
  for (const name of Object.keys(value)) defineMember(encoded, name.startsWith("$") ? `$${name}` : name, encodeNestedBytes((value as ValueObject)[name] as Value));
  return encoded;
}

/** The inverse of `encodeNestedBytes`. */
export function decodeNestedBytes(json: Json): Value {
  if (typeof json !== "object" || json === null) return json;
  if (Array.isArray(json)) return json.map(decodeNestedBytes);
  const names = Object.keys(json);
  const only = json[BYTES_MEMBER];
  if (names.length === 1 && typeof only === "string") return new Uint8Array(Buffer.from(only, "base64"));
  const decoded: ValueObject = {};
  for (const name of names) defineMember(decoded, name.startsWith("$") ? name.slice(1) : name, decodeNestedBytes(json[name] as Json));
  return decoded;
}

/** Sets a member as data, also when its name is `__proto__` (which assignment would not). */
function defineMember<T>(target: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

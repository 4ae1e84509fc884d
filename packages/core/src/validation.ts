/**
 * Input validation (SPEC C1), written once and used by every backend through `defineBackend`.
 * Every check throws a MooringError VALIDATION naming the field and what to fix.
 */
import { MooringError } from "./errors.js";
import type { Json } from "./types.js";

/** The longest id, key, queue name or tenant id, in UTF-8 bytes. */
export const MAX_ID_BYTES = 255;
/** The deepest nesting of a JSON value; deeper values are rejected before any driver sees them. */
export const MAX_JSON_DEPTH = 256;
/** The largest `limit` of one call. */
export const MAX_LIMIT = 10_000;
/**
 * The longest namespace, in UTF-8 bytes: Postgres's identifier limit, the smallest of the stores,
 * so that one namespace is valid on every backend.
 */
export const MAX_NAMESPACE_BYTES = 63;

/** Throws VALIDATION: "`field` `problem`". */
export function invalid(field: string, problem: string): never {
  throw new MooringError("VALIDATION", `${field} ${problem}`, { details: { field } });
}

/** Whether `value` is well-formed Unicode without U+0000. */
export function isCleanString(value: string): boolean {
  if (value.includes("\u0000")) return false;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** UTF-8 byte length of a well-formed string, without encoding it (this runs on every id of every call). */
export function utf8Length(value: string): number {
  return Buffer.byteLength(value, "utf8");
}

function cleanString(value: unknown, field: string): string {
  if (typeof value !== "string") invalid(field, `must be a string, got ${describe(value)}`);
  if (!isCleanString(value)) invalid(field, "must be well-formed Unicode without U+0000 (found U+0000 or a lone surrogate)");
  return value;
}

/** An id, key, queue name or tenant id: a non-empty clean string of at most 255 UTF-8 bytes. */
export function assertId(value: unknown, field: string): asserts value is string {
  const text = cleanString(value, field);
  if (text.length === 0) invalid(field, "must not be empty");
  if (utf8Length(text) > MAX_ID_BYTES) invalid(field, `must be at most ${MAX_ID_BYTES} UTF-8 bytes`);
}

/**
 * A namespace (a schema, a key prefix, a table prefix): a clean string (C1: well-formed Unicode,
 * no U+0000) of 1 to 63 UTF-8 bytes, the same rule on every backend, so that two namespaces a
 * backend accepts are never stored as one.
 */
export function assertNamespace(value: unknown, field = "namespace"): asserts value is string {
  const text = cleanString(value, field);
  if (text.length === 0) invalid(field, "must not be empty");
  if (utf8Length(text) > MAX_NAMESPACE_BYTES) invalid(field, `must be at most ${MAX_NAMESPACE_BYTES} UTF-8 bytes, got ${utf8Length(text)}`);
}

/** A free-text field (a name, a message, a reason): clean, at most `maxBytes`. */
export function assertText(value: unknown, field: string, maxBytes = 4096): asserts value is string {
  const text = cleanString(value, field);
  if (utf8Length(text) > maxBytes) invalid(field, `must be at most ${maxBytes} UTF-8 bytes`);
}

/** A finite positive safe integer (durations, limits, counts). */
export function assertPositiveInt(value: unknown, field: string, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    invalid(field, `must be a positive integer, got ${describe(value)}`);
  }
  if (value > max) invalid(field, `must be at most ${max}, got ${value}`);
}

/** A finite non-negative safe integer (sequences, `after`, a wait that may be none). */
export function assertNonNegativeInt(value: unknown, field: string, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    invalid(field, `must be a non-negative integer, got ${describe(value)}`);
  }
  if (value > max) invalid(field, `must be at most ${max}, got ${value}`);
}

/** Any safe integer (priorities). */
export function assertInt(value: unknown, field: string): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) invalid(field, `must be an integer, got ${describe(value)}`);
}

/** An epoch-milliseconds time: a non-negative safe integer. */
export function assertTime(value: unknown, field: string): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    invalid(field, `must be epoch milliseconds (a non-negative integer), got ${describe(value)}`);
  }
}

/** A finite number ≥ `min`. */
export function assertFinite(value: unknown, field: string, min: number): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    invalid(field, `must be a finite number ≥ ${min}, got ${describe(value)}`);
  }
}

export function assertBoolean(value: unknown, field: string): asserts value is boolean {
  if (typeof value !== "boolean") invalid(field, `must be a boolean, got ${describe(value)}`);
}

export function assertOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): asserts value is T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    invalid(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${describe(value)}`);
  }
}

/** A plain object (not null, not an array, not a class instance). */
export function assertRecord(value: unknown, field: string): asserts value is Record<string, unknown> {
  if (!isPlainObject(value)) invalid(field, `must be a plain object, got ${describe(value)}`);
}

/** An optional plain object: undefined is allowed. */
export function assertOptionalRecord(value: unknown, field: string): asserts value is Record<string, unknown> | undefined {
  if (value !== undefined) assertRecord(value, field);
}

/** A non-empty array of at most `max` items, each checked by `each`. */
export function assertArray<T>(
  value: unknown,
  field: string,
  each: (item: unknown, field: string) => void,
  { min = 1, max = MAX_LIMIT }: { min?: number; max?: number } = {},
): asserts value is readonly T[] {
  if (!Array.isArray(value)) invalid(field, `must be an array, got ${describe(value)}`);
  if (value.length < min) invalid(field, `must hold at least ${min} item${min === 1 ? "" : "s"}`);
  if (value.length > max) invalid(field, `must hold at most ${max} items`);
  value.forEach((item, index) => each(item, `${field}[${index}]`));
}

/** Bytes: a Uint8Array of at most `maxBytes`. */
export function assertBytes(value: unknown, field: string, maxBytes: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) invalid(field, `must be a Uint8Array, got ${describe(value)}`);
  if (value.byteLength > maxBytes) invalid(field, `must be at most ${maxBytes} bytes (maxPayloadBytes), got ${value.byteLength}`);
}

/**
 * A JSON value of at most `maxBytes` when serialized: no NaN or Infinity, no undefined members,
 * no cycles, no BigInt, functions, symbols or class instances, no strings with U+0000 or lone
 * surrogates, at most MAX_JSON_DEPTH deep.
 */
export function assertJson(value: unknown, field: string, maxBytes: number): asserts value is Json {
  jsonByteSize(value, field, maxBytes);
}

/**
 * The checks of `assertJson`, returning the value's serialized size in UTF-8 bytes, for callers
 * that also bound a total (an event batch) without serializing twice.
 */
export function jsonByteSize(value: unknown, field: string, maxBytes: number): number {
  const path: unknown[] = [];
  const visit = (node: unknown, at: string, depth: number): void => {
    if (depth > MAX_JSON_DEPTH) invalid(at, `is nested deeper than ${MAX_JSON_DEPTH} levels`);
    switch (typeof node) {
      case "string":
        if (!isCleanString(node)) invalid(at, "must not contain U+0000 or a lone surrogate");
        return;
      case "boolean":
        return;
      case "number":
        if (!Number.isFinite(node)) invalid(at, `must be a finite number (JSON has no ${String(node)})`);
        return;
      case "object":
        break;
      default:
        invalid(at, `is not a JSON value (${typeof node})`);
    }
    if (node === null) return;
    if (path.includes(node)) invalid(at, "is a cycle (JSON values are trees)");
    path.push(node);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        if (!(i in node)) invalid(`${at}[${i}]`, "is a hole in a sparse array");
        visit(node[i], `${at}[${i}]`, depth + 1);
      }
    } else if (isPlainObject(node)) {
      for (const key of Object.keys(node)) {
        if (!isCleanString(key)) invalid(at, "has a key with U+0000 or a lone surrogate");
        const member = node[key];
        if (member === undefined) invalid(`${at}.${key}`, "is undefined (JSON has no undefined members)");
        visit(member, `${at}.${key}`, depth + 1);
      }
    } else {
      invalid(at, `is not a JSON value (${describe(node)})`);
    }
    path.pop();
  };
  visit(value, field, 0);
  const size = utf8Length(JSON.stringify(value));
  if (size > maxBytes) invalid(field, `must serialize to at most ${maxBytes} bytes (maxPayloadBytes), got ${size}`);
  return size;
}

/**
 * A value that may hold bytes (SPEC W13, `Value`): the checks of `assertJson`, where a `Uint8Array`
 * is also allowed at the top or as any member. Returns its size and whether it holds bytes (the
 * caller's `uses` then needs `binary`). The size is its JSON text with each byte array counted as
 * its length: an engine's bytes cost what they weigh, not the third more of base64, so a
 * `Uint8Array` of exactly `maxBytes` is accepted.
 */
export function valueByteSize(value: unknown, field: string, maxBytes: number): { readonly size: number; readonly hasBytes: boolean } {
  let bytes = 0;
  let arrays = 0;
  // The JSON text of the value with every byte array as `null`, checked by jsonByteSize's rules.
  // A cycle is kept as it is (the original node), so that jsonByteSize reports it.
  const path: unknown[] = [];
  const withoutBytes = (node: unknown, depth: number): unknown => {
    if (node instanceof Uint8Array) {
      bytes += node.byteLength;
      arrays++;
      return null;
    }
    if (typeof node !== "object" || node === null || depth > MAX_JSON_DEPTH || path.includes(node)) return node;
    if (!Array.isArray(node) && !isPlainObject(node)) return node;
    path.push(node);
    let copy: unknown;
    if (Array.isArray(node)) {
      const items: unknown[] = new Array<unknown>(node.length);
      for (let i = 0; i < node.length; i++) if (i in node) items[i] = withoutBytes(node[i], depth + 1);
      copy = items;
    } else {
      const members: Record<string, unknown> = {};
      for (const key of Object.keys(node)) {
        Object.defineProperty(members, key, { value: withoutBytes(node[key], depth + 1), enumerable: true, writable: true, configurable: true });
      }
      copy = members;
    }
    path.pop();
    return copy;
  };
  if (!containsBytes(value)) return { size: jsonByteSize(value, field, maxBytes), hasBytes: false };
  const text = jsonByteSize(withoutBytes(value, 0), field, Number.MAX_SAFE_INTEGER);
  const size = text - arrays * "null".length + bytes;
  if (size > maxBytes) invalid(field, `must be at most ${maxBytes} bytes (maxPayloadBytes; JSON text with each Uint8Array counted as its length), got ${size}`);
  return { size, hasBytes: true };
}

/** A value that may hold bytes, of at most `maxBytes` (see `valueByteSize`). */
export function assertValue(value: unknown, field: string, maxBytes: number): void {
  valueByteSize(value, field, maxBytes);
}

/** Whether `value` holds a Uint8Array anywhere (cycles and depth are judged by the validation that follows). */
export function containsBytes(value: unknown): boolean {
  const path: unknown[] = [];
  const visit = (node: unknown, depth: number): boolean => {
    if (node instanceof Uint8Array) return true;
    if (typeof node !== "object" || node === null || depth > MAX_JSON_DEPTH || path.includes(node)) return false;
    path.push(node);
    let found = false;
    if (Array.isArray(node)) found = node.some((item) => visit(item, depth + 1));
    else if (isPlainObject(node)) found = Object.keys(node).some((key) => visit(node[key], depth + 1));
    path.pop();
    return found;
  };
  return visit(value, 0);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return `a string of ${value.length} characters`;
  if (typeof value === "object") return (value as object).constructor?.name ?? "an object";
  return typeof value;
}

/**
 * Orders strings by Unicode code point (the UTF-8 byte order of Postgres `COLLATE "C"` and Redis),
 * not by JavaScript's UTF-16 code units.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

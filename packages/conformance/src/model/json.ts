/**
 * JSON and ordering rules of the model, written from the contract and sharing no code with core:
 * an oracle that imports the rules it checks would agree with every bug in them (a mutant of core's
 * `jsonEqual` changed the memory backend and the model alike, and no check could tell;
 * docs/kit-strength.md).
 */
import { isDeepStrictEqual } from "node:util";

/** A deep copy of plain data (JSON values, byte arrays, records of them). */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, index) => byte === b[index]);
}

/**
 * A byte array in a JSON view: its bytes as hex, in an object of its own class, so that it equals
 * only the same bytes, never a string or an object a caller wrote (`{ hex: "00" }` has another
 * prototype, which `isDeepStrictEqual` compares).
 */
class BytesView {
  constructor(readonly hex: string) {}
}

/**
 * JSON's view of an observation, for comparing what was written with what is read: bytes as a
 * `BytesView`, no undefined members, no negative zero (JSON writes it 0). Member order is left to
 * the comparison (`isDeepStrictEqual` ignores it).
 */
export function jsonView(value: unknown): unknown {
  if (value instanceof Uint8Array) return new BytesView(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex"));
  if (Array.isArray(value)) return value.map(jsonView);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, member]) => member !== undefined)
        .map(([key, member]) => [key, jsonView(member)]),
    );
  }
  return Object.is(value, -0) ? 0 : value;
}

/** JSON equality (W1's "same definition"): object member order does not matter, array order does. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(jsonView(a), jsonView(b));
}

/**
 * Text where equal values (member order aside) have equal text and unequal values unequal text:
 * JSON with members sorted by key, and bytes written `bytes(<hex>)`, which no JSON text holds
 * outside a string, so that they never read as a string or an object a caller wrote.
 */
export function canonicalText(value: unknown): string {
  return canonical(jsonView(value));
}

function canonical(value: unknown): string {
  if (value instanceof BytesView) return `bytes(${value.hex})`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  const members = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${members.map(([key, member]) => `${JSON.stringify(key)}:${canonical(member)}`).join(",")}}`;
}

/**
 * Unicode code point order (the contract's order of ids and keys: Postgres `COLLATE "C"`, Redis),
 * which differs from JavaScript's `<` on UTF-16 code units above U+FFFF.
 */
export function byCodePoint(a: string, b: string): number {
  const left = Array.from(a, (char) => char.codePointAt(0) as number);
  const right = Array.from(b, (char) => char.codePointAt(0) as number);
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const difference = (left[index] as number) - (right[index] as number);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

/** The prefix of every StateStore key owned by an execution (S4, decisions.md): length-prefixed id. */
export function ownedKeyPrefix(executionId: string): string {
  return `mooring/exec/${Buffer.byteLength(executionId, "utf8")}/${executionId}/`;
}

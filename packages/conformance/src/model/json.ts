/** JSON helpers of the model: copies so callers never alias model state, and byte equality (JSON equality is core's jsonEqual). */

/** A deep copy of plain data (JSON values, byte arrays, records of them). */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, index) => byte === b[index]);
}

/**
 * JSON's view of an observation, for comparing what was written with what is read: bytes as hex,
 * no undefined members, no negative zero (JSON writes it 0). Member order is left to the comparison
 * (`isDeepStrictEqual` ignores it).
 */
export function jsonView(value: unknown): unknown {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
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

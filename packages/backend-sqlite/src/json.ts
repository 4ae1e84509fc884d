/**
 * JSON columns, value columns and opaque cursors. Values arrive validated (SPEC C1), so
 * serializing cannot fail; parsing reads only what this package wrote.
 */
import { decodeStoredValue, type Json, type Page, storedValueColumns, type ValueObject, type Value } from "@mooring/core";
import { sqliteError } from "./errors.js";

/** The TEXT stored for a JSON value; `undefined` is stored as null. */
export function jsonText(value: Json | undefined): string {
  return JSON.stringify(value ?? null);
}

export function parseJson<T extends Json = Json>(text: string): T {
  return JSON.parse(text) as T;
}


/**
 * The value of a row's columns (SPEC W13, migration 0006), written by core's `storedValueColumns`:
 * JSON text, kind marker and bytes (a context has no bytes column).
 */
export function valueOfColumns(text: string, kind: string | null, bytes: Uint8Array | null = null): Value {
  return decodeStoredValue(kind, parseJson(text), bytes);
}

/** A run context's columns: its JSON text and kind marker (a context is an object, never a byte array). */
export function contextColumns(context: ValueObject): [text: string, kind: string | null] {
  const [text, kind] = storedValueColumns(context);
  return [text, kind];
}

/**
 * An opaque cursor (SPEC C5): the position after the last item of a page, base64url-encoded so
 * callers do not build or read it. `kind` keeps a cursor of one list from being used on another.
 */
export function encodeCursor(kind: string, position: string | number): string {
  return Buffer.from(JSON.stringify([kind, position]), "utf8").toString("base64url");
}

/**
 * A page of `rows`, read with one row more than `limit` (SPEC C5): that extra row says a next page
 * exists, whose cursor is the position of this page's last row.
 */
export function pageOf<Row, Item>(rows: readonly Row[], limit: number, kind: string, positionOf: (row: Row) => string | number, itemOf: (row: Row) => Item): Page<Item> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(itemOf), cursor: rows.length > limit && last !== undefined ? encodeCursor(kind, positionOf(last)) : null };
}

/** @throws VALIDATION for a cursor this list did not return. */
export function decodeCursor(kind: string, cursor: string | null | undefined, type: "string"): string | null;
export function decodeCursor(kind: string, cursor: string | null | undefined, type: "number"): number | null;
export function decodeCursor(kind: string, cursor: string | null | undefined, type: "string" | "number"): string | number | null {
  if (cursor === undefined || cursor === null) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== kind || typeof decoded[1] !== type) {
    throw sqliteError("VALIDATION", "request.cursor is not a cursor returned by this list", { field: "request.cursor" });
  }
  return decoded[1] as string | number;
}

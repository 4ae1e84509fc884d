/**
 * Opaque page cursors (SPEC C5). A cursor is the base64url of the list's name and the sort key of
 * the last item returned; the next page starts strictly after that key, so a walk never repeats an
 * item, and never skips one that existed for the whole walk, whatever is inserted or removed
 * meanwhile.
 */
import { MooringError, type Page, type PageRequest } from "@mooring/core";
import type { SortedList } from "./sorted-list.js";

/** The lists that page, each with the type of its sort key; a cursor of one is refused by another. */
const KEY_TYPES = Object.freeze({
  runs: "number",
  // A newest-first walk of runs (SPEC W14): its own kind, so an oldest-first cursor is refused by it.
  "runs-desc": "number",
  "dead-letters": "number",
  // Tasks in enqueue order and newest first (SPEC E26): apart, as the runs' walks are.
  tasks: "number",
  "tasks-desc": "number",
  queues: "string",
  snapshots: "string",
  tenants: "string",
} as const);

export type CursorKind = keyof typeof KEY_TYPES;
type KeyOf<C extends CursorKind> = (typeof KEY_TYPES)[C] extends "number" ? number : string;

export function encodeCursor(kind: CursorKind, key: string | number): string {
  return Buffer.from(JSON.stringify([kind, key]), "utf8").toString("base64url");
}

/** The key a cursor holds. @throws VALIDATION for a cursor this list did not return. */
export function decodeCursor<C extends CursorKind>(kind: C, cursor: string): KeyOf<C> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    decoded = undefined;
  }
  if (Array.isArray(decoded) && decoded.length === 2 && decoded[0] === kind && typeof decoded[1] === KEY_TYPES[kind]) {
    return decoded[1] as KeyOf<C>;
  }
  throw new MooringError("VALIDATION", `request.cursor is not a cursor of this ${kind} list`, { details: { field: "request.cursor" } });
}

/**
 * One page of `index` after the request's cursor: up to `limit` items that `load` returns (it
 * returns undefined for keys to pass over, such as expired entries or other statuses). The cursor
 * is null on the last page, so a caller never fetches an empty page.
 */
export function pageOf<C extends CursorKind, T>(
  kind: C,
  index: SortedList<KeyOf<C>> | undefined,
  request: PageRequest,
  load: (key: KeyOf<C>) => T | undefined,
  descending = false,
): Page<T> {
  const after = request.cursor == null ? undefined : decodeCursor(kind, request.cursor);
  const items: T[] = [];
  if (index === undefined) return { items, cursor: null };
  let lastKey: KeyOf<C> | undefined;
  for (const key of descending ? index.walkDescending(after) : index.walk(after)) {
    const item = load(key);
    if (item === undefined) continue;
    if (items.length === request.limit) return { items, cursor: encodeCursor(kind, lastKey as KeyOf<C>) };
    items.push(item);
    lastKey = key;
  }
  return { items, cursor: null };
}

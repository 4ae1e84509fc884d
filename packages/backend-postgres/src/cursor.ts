/**
 * Opaque page cursors (SPEC C5). A cursor holds the sort key of the last item of the page and the
 * list it belongs to; lists are keyset-paginated on that key, so a page never repeats or skips an
 * item that existed for the whole walk.
 */
import { MooringError } from "@mooring/core";

/** The lists that page, each with the type of its key. */
interface CursorKeys {
  runs: number;
  /** Runs newest first (SPEC W14): a list of its own, so an oldest-first cursor is refused by it. */
  "runs-desc": number;
  "dead-letters": number;
  /** Tasks in enqueue order, and newest first (SPEC E26): apart, as the runs' walks are. */
  tasks: number;
  "tasks-desc": number;
  queues: string;
  "cache-snapshots": string;
  tenants: string;
}

export type CursorList = keyof CursorKeys;

/** The lists whose key is a number (an order); every other list's is a string (a name). */
const NUMERIC_LISTS: ReadonlySet<CursorList> = new Set(["runs", "runs-desc", "dead-letters", "tasks", "tasks-desc"]);

export function encodeCursor<L extends CursorList>(list: L, key: CursorKeys[L]): string {
  return Buffer.from(JSON.stringify([list, key]), "utf8").toString("base64url");
}

/**
 * The key of a cursor of `list`, or null for the first page.
 * @throws VALIDATION for a cursor this list did not issue.
 */
export function decodeCursor<L extends CursorList>(list: L, cursor: string | null | undefined): CursorKeys[L] | null {
  if (cursor === undefined || cursor === null) return null;
  const invalid = (): never => {
    throw new MooringError("VALIDATION", `request.cursor is not a cursor of this ${list} list`, { backend: "postgres", details: { field: "request.cursor" } });
  };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== list) return invalid();
  const key: unknown = decoded[1];
  const numeric = NUMERIC_LISTS.has(list);
  if (numeric ? !Number.isSafeInteger(key) : typeof key !== "string") return invalid();
  return key as CursorKeys[L];
}

/** A page from `rows` fetched with `limit + 1`: the extra row only says there is a next page. */
export function pageOf<R, T>(rows: readonly R[], limit: number, item: (row: R) => T, key: (row: R) => string): { items: T[]; cursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(item), cursor: rows.length > limit && last !== undefined ? key(last) : null };
}

/** Walking paginated lists (SPEC C5) and the orders lists follow. */
import type { Page } from "@mooring/core";
import { byCodePoint as compareByCodePoint } from "../../model/json.js";
import { differs, ensure, fail } from "./assertions.js";
import { brief } from "./preview.js";

export interface Walk<T> {
  readonly items: T[];
  readonly pages: number;
}

/**
 * Follows cursors from the first page until the cursor is null, calling `between` after each
 * page but the last (to write during the walk). Fails on a page larger than `limit` and on a walk
 * that does not end within `maxPages`.
 */
export async function walkPages<T>(
  fetch: (cursor: string | null) => Promise<Page<T>>,
  limit: number,
  what: string,
  between?: (pageIndex: number) => Promise<void>,
  maxPages = 1000,
): Promise<Walk<T>> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const result: Page<T> = await fetch(cursor);
    ensure(Array.isArray(result.items), `${what}: a page must have an items array`);
    ensure(result.items.length <= limit, `${what}: page ${page} holds ${result.items.length} items, more than limit ${limit}`);
    ensure(result.cursor === null || typeof result.cursor === "string", `${what}: a cursor is a string or null, got ${brief(result.cursor)}`);
    items.push(...result.items);
    if (result.cursor === null) return { items, pages: page + 1 };
    differs(result.cursor, cursor, `${what}: the cursor of page ${page} (the cursor it was given would make the walk never end)`);
    cursor = result.cursor;
    await between?.(page);
  }
  fail(`${what}: the walk did not reach a null cursor within ${maxPages} pages`);
}

/** Sorted copy in code-point order (the order of every string-keyed list, decisions.md). */
export function byCodePoint(values: readonly string[]): string[] {
  return [...values].sort(compareByCodePoint);
}

/** Keeps `items` in order, only those whose key is in `keys`. */
export function only<T>(items: readonly T[], keys: ReadonlySet<string>, key: (item: T) => string): string[] {
  return items.map(key).filter((value) => keys.has(value));
}

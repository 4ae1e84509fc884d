/**
 * The one way tests, bench and scenarios write a name they made (a schema, a table) into SQL:
 * double-quoted, embedded quotes doubled, the rule Postgres and SQLite share (STYLE habit 3).
 * The backends quote their own names with their own helper; this is for code outside them.
 */

/** `name` as a quoted SQL identifier: `"name"`, with embedded quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

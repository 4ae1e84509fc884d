/**
 * SQL text as a type. `sql` accepts a template literal without interpolations, so a statement can
 * only be written out in full in a source file: user input reaches SQLite as bound parameters,
 * never as text. `{{object}}` placeholders name schema objects and are filled in by
 * `renderSql` with the namespaced, quoted identifier.
 *
 * Convention: a bound LIMIT is written `LIMIT ? + 0`, never `LIMIT ?`. better-sqlite3 builds
 * SQLite with STAT4, under which a statement whose LIMIT is a bare parameter is re-prepared on
 * every execution (measured: 6 µs → 16 µs for the claim candidates); an expression is not.
 */

declare const SQL_BRAND: unique symbol;

/** The text of one statement, with `{{object}}` placeholders. */
export type SqlText = string & { readonly [SQL_BRAND]: true };

/** Tags a literal statement: `sql\`SELECT …\``. Interpolation is a type error. */
export function sql(strings: TemplateStringsArray, ...nothing: never[]): SqlText {
  if (nothing.length > 0 || strings.length !== 1) throw new Error("sql`` takes no interpolations");
  return (strings[0] ?? "").trim() as SqlText;
}

/**
 * Joins fixed SQL fragments into one statement, for the few statements whose shape depends on a
 * count (a UNION ALL branch per claimed queue). Fragments are `sql` literals, never input.
 */
export function joinSql(fragments: readonly SqlText[], separator: SqlText): SqlText {
  return fragments.join(` ${separator} `) as SqlText;
}

/** `prefix` + `body` + `suffix`, all literals. */
export function wrapSql(prefix: SqlText, body: SqlText, suffix: SqlText): SqlText {
  return `${prefix} ${body} ${suffix}` as SqlText;
}

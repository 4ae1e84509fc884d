/**
 * The SQL loader and the prepared statements. Every statement the backend runs lives in
 * `sql/<name>.sql`, one statement per file, opening with a header that names its parameters and
 * what it returns (STYLE habit 3, as in the Postgres backend); `loadSql` reads one when the module
 * that names it (src/sql/*.ts, beside its row types) loads. A `StatementCache` then renders each
 * for its namespace and prepares it once per connection, reused for the life of the backend.
 */
import { readFileSync } from "node:fs";
import { statementOfFile } from "@mooring/core";
import type BetterSqlite3 from "better-sqlite3";
import { renderSql } from "./identifiers.js";
import type { SqlText } from "./sql/text.js";

const SQL_DIRECTORY = new URL("../sql/", import.meta.url);

/**
 * The statement of `sql/<name>.sql`, checked by core's `statementOfFile`.
 * @throws when the file is missing or breaks the one-headed-statement rule.
 */
export function loadSql(name: string): SqlText {
  return statementOfFile(`${name}.sql`, readFileSync(new URL(`${name}.sql`, SQL_DIRECTORY), "utf8")) as SqlText;
}

/** A prepared statement taking positional parameters. */
export type Statement = BetterSqlite3.Statement<unknown[], unknown>;

export class StatementCache {
  readonly #db: BetterSqlite3.Database;
  readonly #namespace: string;
  readonly #prepared = new Map<SqlText, Statement>();

  constructor(db: BetterSqlite3.Database, namespace: string) {
    this.#db = db;
    this.#namespace = namespace;
  }

  /** The prepared form of `text`, prepared on first use. */
  get(text: SqlText): Statement {
    let statement = this.#prepared.get(text);
    if (!statement) {
      statement = this.#db.prepare<unknown[], unknown>(renderSql(text, this.#namespace));
      this.#prepared.set(text, statement);
    }
    return statement;
  }

  /** Runs a write and returns the number of rows it changed. */
  run(text: SqlText, ...params: unknown[]): number {
    return this.get(text).run(...params).changes;
  }

  /** The first row, or undefined. The caller names the row type the statement's header documents. */
  one<Row>(text: SqlText, ...params: unknown[]): Row | undefined {
    return this.get(text).get(...params) as Row | undefined;
  }

  /** Every row. */
  all<Row>(text: SqlText, ...params: unknown[]): Row[] {
    return this.get(text).all(...params) as Row[];
  }
}

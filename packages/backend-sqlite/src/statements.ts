/**
 * Prepared statements, cached per connection and namespace: each distinct statement is rendered
 * and prepared once, then reused for the life of the backend.
 */
import type BetterSqlite3 from "better-sqlite3";
import { renderSql } from "./identifiers.js";
import type { SqlText } from "./sql/text.js";

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

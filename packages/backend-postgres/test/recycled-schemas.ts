/**
 * Schemas for the conformance kit on Postgres, recycled between checks (servers and schema names
 * come from `@mooring/testing/postgres`).
 */
import pg from "pg";
import { SchemaNames } from "@mooring/testing/postgres";
import { quoteIdentifier } from "../src/identifiers.js";
import { LEDGER_TABLE } from "../src/migrations.js";

/**
 * Schemas for the conformance kit, which opens a backend on a fresh namespace for every check:
 * migrating a schema per check would cost more than the check. A namespace gets a schema the
 * file used before and emptied once every backend on it was closed (migrated already, so opening
 * it only checks the ledger), or a new one. Emptying deletes the rows, so the next check finds
 * the store as a fresh one: no rows, no listeners.
 */
export class RecycledSchemas {
  readonly #names: SchemaNames;
  readonly #byNamespace = new Map<string, string>();
  readonly #open = new Map<string, number>();
  readonly #free: string[] = [];
  readonly #pool: pg.Pool;
  #count = 0;

  constructor(url: string, tag: string) {
    this.#names = new SchemaNames(url, tag);
    this.#pool = new pg.Pool({ connectionString: url, max: 2 });
    this.#pool.on("error", () => undefined);
  }

  /**
   * Opens a backend on the schema of `namespace` with `open`; the same namespace reaches the same
   * schema until all its backends are closed.
   */
  async open<B extends { close(): Promise<void> }>(namespace: string, open: (schema: string) => Promise<B>): Promise<B> {
    let schema = this.#byNamespace.get(namespace);
    if (schema === undefined) {
      schema = this.#free.pop() ?? this.#names.name(`s${++this.#count}`);
      this.#byNamespace.set(namespace, schema);
    }
    const backend = await open(schema);
    this.#open.set(namespace, (this.#open.get(namespace) ?? 0) + 1);
    let closing: Promise<void> | null = null;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        await backend.close();
        const left = (this.#open.get(namespace) ?? 1) - 1;
        this.#open.set(namespace, left);
        if (left === 0) await this.#recycle(namespace);
      })();
      return closing;
    };
    return Object.freeze({ ...backend, close, [Symbol.asyncDispose]: close });
  }

  async #recycle(namespace: string): Promise<void> {
    const schema = this.#byNamespace.get(namespace);
    this.#open.delete(namespace);
    if (schema === undefined) return;
    const client = await this.#pool.connect();
    try {
      const tables = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> $2", [schema, LEDGER_TABLE]);
      const quoted = quoteIdentifier(schema);
      await client.query(`BEGIN; ${tables.rows.map((row) => `DELETE FROM ${quoted}.${quoteIdentifier(row.tablename)};`).join(" ")} COMMIT;`);
      this.#free.push(schema);
    } finally {
      client.release();
    }
  }

  async dropAll(): Promise<void> {
    await this.#pool.end();
    await this.#names.dropAll();
  }
}

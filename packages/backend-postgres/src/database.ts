/**
 * The pool, statements, transactions and retries every facet goes through.
 *
 * What is retried, and why it is safe (SPEC C2: a call that throws writes nothing):
 * - a serialization failure or deadlock (40001, 40P01): the server rolled the statement or
 *   transaction back, so running it again cannot apply it twice;
 * - a lost connection inside a transaction before COMMIT was sent: the server rolls back a
 *   transaction whose session ends, so nothing of it was applied;
 * - a lost connection during a statement marked `safe` (reads, and writes whose repetition
 *   changes nothing, like `complete` with the same lease);
 * - failing to open a connection after the backend has been connected once (a restart): nothing
 *   was sent yet. Bounded by `RECONNECT_BUDGET_MS`.
 * A lost connection during an autocommit write or during COMMIT is ambiguous: it is reported as
 * UNAVAILABLE with `details.ambiguous`, never retried blindly.
 */
import pg from "pg";
import { type Clock, MooringError } from "@mooring/core";
import {
  ambiguousError,
  isConnectionError,
  isNotSent,
  isRetryableConflict,
  isTransientConnectError,
  type PoolFacts,
  type ServerTarget,
} from "./errors.js";
import type { Statement, StatementName, Statements } from "./statements.js";

/** Attempts of one statement or transaction before its failure is reported. */
const MAX_ATTEMPTS = 5;
/** How long a backend that was connected keeps trying to reconnect before reporting UNAVAILABLE. */
const RECONNECT_BUDGET_MS = 10_000;

const INT8_OID = 20;

/**
 * Type parsers of this package's queries: bigint columns (epoch milliseconds, counts, epochs) are
 * safe integers and read as numbers. Given per query, so a pool shared with the application keeps
 * the application's own parsers.
 */
const QUERY_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
};

/** How a statement may be repeated after its connection was lost. */
export type RetryMode =
  /** Repeating it changes nothing: it is retried. */
  | "safe"
  /** Repeating it could apply it twice: a lost connection is reported as ambiguous. */
  | "once";

/** Runs statements of one schema; inside a transaction, on that transaction's connection. */
export interface Queryable {
  query<R extends object>(name: StatementName, values: readonly unknown[]): Promise<R[]>;
}

/** A transaction that may also run SQL text that is not a statement file (migrations only). */
export interface ScriptTransaction extends Queryable {
  /** Runs `text` unprepared; without values it may hold several statements. */
  script<R extends object>(text: string, values?: readonly unknown[]): Promise<R[]>;
}

export interface DatabaseOptions {
  readonly pool: pg.Pool;
  /** Whether `close()` ends the pool (false for a pool the application passed in). */
  readonly ownsPool: boolean;
  readonly statements: Statements;
  readonly target: ServerTarget;
  /** The injected clock; absent, statements use the server's clock (SPEC C3). */
  readonly clock: Clock | undefined;
  readonly connectionTimeoutMs: number;
  readonly statementTimeoutMs: number | null;
}

interface Checkout {
  readonly client: pg.PoolClient;
  /** The error the client emitted while checked out, if its connection died. */
  broken(): Error | undefined;
  release(error?: Error): void;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function backoff(attempt: number): Promise<void> {
  return pause(Math.min(1000, 10 * 2 ** attempt) * (0.5 + Math.random() / 2));
}

export class Database {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #statements: Statements;
  readonly #target: ServerTarget;
  readonly #clock: Clock | undefined;
  readonly #connectionTimeoutMs: number;
  readonly #statementTimeoutMs: number | null;
  #connectedOnce = false;
  #closed = false;

  constructor(options: DatabaseOptions) {
    this.#pool = options.pool;
    this.#ownsPool = options.ownsPool;
    this.#statements = options.statements;
    this.#target = options.target;
    this.#clock = options.clock;
    this.#connectionTimeoutMs = options.connectionTimeoutMs;
    this.#statementTimeoutMs = options.statementTimeoutMs;
    // An idle connection that the server ends (a restart, pg_terminate_backend) is an 'error'
    // event on the pool; pg-pool already drops the connection, and without a listener the event
    // would end the process.
    this.#pool.on("error", () => undefined);
    // pg-pool hands a new connection over from inside the socket's data handler, with no 'error'
    // listener of its own: a termination that arrives in the same packet would be emitted before
    // #checkout attaches one. Every connection keeps this listener for its whole life.
    this.#pool.on("connect", (client) => {
      client.on("error", () => undefined);
    });
  }

  get target(): ServerTarget {
    return this.#target;
  }

  /** The `now` parameter of every statement: the injected clock's time, or null for the server's. */
  nowParam(): number | null {
    return this.#clock ? this.#clock.now() : null;
  }

  /** Whether time comes from an injected clock rather than the server. */
  get injectedClock(): boolean {
    return this.#clock !== undefined;
  }

  poolFacts(): PoolFacts {
    const size = this.#pool.options.max;
    return {
      size,
      connectionTimeoutMs: this.#connectionTimeoutMs,
      statementTimeoutMs: this.#statementTimeoutMs,
      exhausted: this.#pool.totalCount >= size && this.#pool.idleCount === 0,
    };
  }

  statement(name: StatementName): Statement {
    return this.#statements[name];
  }

  /** Runs one statement in its own (implicit) transaction. */
  async query<R extends object>(name: StatementName, values: readonly unknown[], mode: RetryMode = "once"): Promise<R[]> {
    const statement = this.#statements[name];
    for (let attempt = 1; ; attempt++) {
      const checkout = await this.#checkout();
      try {
        const rows = await run<R>(checkout.client, statement, values);
        checkout.release();
        return rows;
      } catch (error) {
        const broken = checkout.broken() ?? (isConnectionError(error) ? toError(error) : undefined);
        checkout.release(broken);
        if (attempt < MAX_ATTEMPTS && !this.#closed) {
          if (isRetryableConflict(error) || (broken !== undefined && (mode === "safe" || isNotSent(error)))) {
            await backoff(attempt);
            continue;
          }
        }
        if (broken !== undefined && mode === "once" && !isNotSent(error)) throw ambiguousError(this.#target, error);
        throw error;
      }
    }
  }

  /**
   * Runs `body` in one transaction (READ COMMITTED; bodies lock what they read with FOR UPDATE).
   * A MooringError thrown by the body rolls back and is rethrown as is. The body may run more
   * than once (see the module comment), so it must not have effects outside the transaction.
   */
  async transaction<T>(body: (tx: ScriptTransaction) => Promise<T>, mode: RetryMode = "once"): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const checkout = await this.#checkout();
      const tx: ScriptTransaction = {
        query: (name, values) => run(checkout.client, this.#statements[name], values),
        script: async <R extends object>(text: string, values?: readonly unknown[]) =>
          (await checkout.client.query<R>({ text, values: values ? [...values] : undefined, types: QUERY_TYPES })).rows,
      };
      let committing = false;
      try {
        await checkout.client.query("BEGIN");
        const result = await body(tx);
        committing = true;
        await checkout.client.query("COMMIT");
        checkout.release();
        return result;
      } catch (error) {
        let broken = checkout.broken() ?? (isConnectionError(error) ? toError(error) : undefined);
        if (broken === undefined) {
          try {
            await checkout.client.query("ROLLBACK");
          } catch (rollbackError) {
            broken = toError(rollbackError);
          }
        }
        checkout.release(broken);
        if (MooringError.is(error)) throw error;
        if (attempt < MAX_ATTEMPTS && !this.#closed) {
          if (isRetryableConflict(error) || (broken !== undefined && (!committing || mode === "safe" || isNotSent(error)))) {
            await backoff(attempt);
            continue;
          }
        }
        if (broken !== undefined && committing && mode === "once" && !isNotSent(error)) throw ambiguousError(this.#target, error);
        throw error;
      }
    }
  }

  /** A dedicated connection outside the pool (the notification listener's), opened with the pool's settings. */
  async connectDedicated(): Promise<pg.Client> {
    const ClientClass = (this.#pool.options.Client ?? pg.Client) as typeof pg.Client;
    const client = new ClientClass(this.#pool.options);
    await client.connect();
    return client;
  }

  /** Whether `close()` was called: a read after it fails, and a tail it ended answers `[]` instead. */
  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#ownsPool) await this.#pool.end();
  }

  async #checkout(): Promise<Checkout> {
    const client = await this.#connect();
    let broken: Error | undefined;
    // A checked-out client has no listener of pg-pool's: without this one, a connection that dies
    // between two statements of a transaction would be an unhandled 'error' event.
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on("error", onError);
    let released = false;
    return {
      client,
      broken: () => broken,
      release(error?: Error) {
        if (released) return;
        released = true;
        client.removeListener("error", onError);
        client.release(error ?? broken);
      },
    };
  }

  async #connect(): Promise<pg.PoolClient> {
    const deadline = Date.now() + RECONNECT_BUDGET_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        const client = await this.#pool.connect();
        this.#connectedOnce = true;
        return client;
      } catch (error) {
        const wait = Math.min(1000, 25 * 2 ** attempt);
        if (!this.#connectedOnce || this.#closed || !isTransientConnectError(error) || Date.now() + wait > deadline) throw error;
        await pause(wait);
      }
    }
  }
}

async function run<R extends object>(client: pg.PoolClient, statement: Statement, values: readonly unknown[]): Promise<R[]> {
  const result = await client.query<R>({ name: statement.name, text: statement.text, values: [...values], types: QUERY_TYPES });
  return result.rows;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

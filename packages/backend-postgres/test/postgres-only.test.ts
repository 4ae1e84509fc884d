/**
 * What only the Postgres backend has: migrations (ledger, append-only, concurrent processes),
 * error messages that say which failure happened, the pool's bound, claims from several pools and
 * processes at once, the server's clock, and names quoted by one helper.
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Backend, DEFAULT_TENANT, type Lease, ManualClock, MooringError, newLeaseIds, storedValueColumns } from "@mooring/core";
import { mapPostgresError } from "../src/errors.js";
import { notificationChannel, quoteIdentifier, waitpointLockScope } from "../src/identifiers.js";
import { createPostgresBackend, openFromUrl } from "../src/index.js";
import { Database } from "../src/database.js";
import { LEDGER_TABLE, MIGRATIONS, migrateSchema } from "../src/migrations.js";
import { loadStatements } from "../src/statements.js";
import { startTogether, warmChildren } from "./support/children.js";
import { EphemeralPostgres, freePort, SchemaNames, serverForTests } from "@mooring/testing/postgres";

const server = await serverForTests("postgres-only.test.ts");
const url = server?.url ?? "";
const schemas = new SchemaNames(url, "only");

beforeAll(async () => {
  if (server) await warmChildren();
});

afterAll(async () => {
  if (!server) return;
  await schemas.dropAll();
  await server.stop();
});

async function withClient<T>(body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** Resolves once `condition` holds, asking again after each turn of the event loop (a wait for a state, never for time). */
async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setImmediate(resolve));
}

/** Resolves once `count` backends wait for `holder`'s transaction, directly or behind another of its
 * waiters (the second waiter for a row queues on the first's tuple lock). Found by process id: a
 * statement's text in pg_stat_activity is cut at 1 kB and other test files share the server. Asked
 * from a connection of its own: inside the holder's transaction, pg_stat_activity would keep
 * answering from the snapshot its first read took. */
async function waitForWaiters(holder: pg.Client, count = 1): Promise<void> {
  const { rows } = await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const pid = rows[0]?.pid;
  await withClient((observer) =>
    waitUntil(async () => {
      const waiting = await observer.query<{ n: number }>(`WITH RECURSIVE waiters (pid) AS (
          SELECT pid FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))
          UNION
          SELECT activity.pid FROM pg_stat_activity AS activity JOIN waiters ON waiters.pid = ANY (pg_blocking_pids(activity.pid))
        )
        SELECT count(*)::int AS n FROM waiters`, [pid]);
      return (waiting.rows[0]?.n ?? 0) >= count;
    }),
  );
}

/** The error `call` rejects with; fails when it resolves or rejects with something else. */
async function failure(call: Promise<unknown>): Promise<MooringError> {
  try {
    await call;
  } catch (error) {
    if (MooringError.is(error)) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

function open(schema: string, options: Partial<Parameters<typeof createPostgresBackend>[0]> = {}): Promise<Backend> {
  return createPostgresBackend({ connectionString: url, schema, clock: new ManualClock(), poolSize: 2, ...options });
}

/** Claims and completes until the queue stays empty; returns the ids it completed. */
async function drain(backend: Backend, queue: string, worker: string): Promise<string[]> {
  const done: string[] = [];
  let idle = 0;
  for (let round = 0; idle < 3; round++) {
    const leases = await backend.engine.claim({ workerId: worker, queues: [queue], leaseMs: 60_000, limit: 1 + (round % 4) });
    idle = leases.length === 0 ? idle + 1 : 0;
    await Promise.all(leases.map((lease) => backend.engine.complete(lease)));
    done.push(...leases.map((lease) => lease.taskId));
  }
  return done;
}

function expectEachOnce(granted: readonly string[], expected: readonly string[]): void {
  const seen = new Map<string, number>();
  for (const id of granted) seen.set(id, (seen.get(id) ?? 0) + 1);
  expect([...seen].filter(([, count]) => count > 1), "tasks granted to more than one claimer").toEqual([]);
  expect([...seen.keys()].sort()).toEqual([...expected].sort());
}

async function tableNames(schema: string): Promise<string[]> {
  return withClient(async (client) => {
    const result = await client.query<{ relname: string }>(
      "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY c.relname",
      [schema],
    );
    return result.rows.map((row) => row.relname);
  });
}

describe.skipIf(!server)("migrations: numbered, append-only, one transaction under an advisory lock", () => {
  it("records every migration once with its name and sha256; migrating again applies nothing", async () => {
    const schema = schemas.name("ledger");
    const backend = await open(schema);
    const ledger = () =>
      withClient(async (client) => (await client.query(`SELECT version, name, sha256, applied_at FROM ${quoteIdentifier(schema)}.${LEDGER_TABLE} ORDER BY version`)).rows);
    const before = await ledger();
    expect(before.map(({ version, name, sha256 }) => ({ version, name, sha256 }))).toEqual(
      MIGRATIONS.map((migration) => ({ version: migration.version, name: migration.name, sha256: migration.sha256 })),
    );
    await backend.migrate();
    await (await open(schema)).close();
    expect(await ledger()).toEqual(before);
    await backend.close();
  });

  it("refuses a migration whose file changed after it was applied", async () => {
    const schema = schemas.name("edited");
    await (await open(schema)).close();
    await withClient((client) => client.query(`UPDATE ${quoteIdentifier(schema)}.${LEDGER_TABLE} SET sha256 = repeat('0', 64) WHERE version = 1`));
    const error = await failure(open(schema));
    expect(error.code).toBe("INVALID_STATE");
    expect(error.message).toContain(`migration ${MIGRATIONS[0]?.name} changed after it was applied`);
  });

  it("refuses a schema that a newer version of the package migrated", async () => {
    const schema = schemas.name("newer");
    await (await open(schema)).close();
    await withClient((client) => client.query(`INSERT INTO ${quoteIdentifier(schema)}.${LEDGER_TABLE} (version, name, sha256) VALUES (9999, '9999_future', 'x')`));
    const error = await failure(open(schema));
    expect(error.code).toBe("INVALID_STATE");
    expect(error.message).toMatch(/is at migration 9999_future, newer than this @mooring\/backend-postgres knows/);
  });

  it("0002 moves the completed tasks of a schema out of the hot table and every reader still finds them (SPEC E7, E13)", async () => {
    const schema = schemas.name("upgraded");
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const db = new Database({
      pool,
      ownsPool: true,
      statements: loadStatements(schema),
      target: { host: "test", port: 0, database: "test", user: "test" },
      clock: undefined,
      connectionTimeoutMs: 10_000,
      statementTimeoutMs: null,
    });
    const first = MIGRATIONS.filter((migration) => migration.version === 1);
    expect(await migrateSchema(db, schema, first)).toEqual(["0001_initial"]);
    // Tasks completed by a backend of 0001, which kept them in `tasks`.
    await withClient(async (client) => {
      await client.query(
        `INSERT INTO ${quoteIdentifier(schema)}.tasks (tenant_id, id, queue, payload, priority, run_at, max_attempts, backoff_base_ms, backoff_factor,
           backoff_max_ms, state, ready_at, attempt, consumed, epoch, completed_epoch, result, created_at, updated_at)
         VALUES ($1, 'done', 'q', '{"n":1}', 0, 1, 3, 1000, 2, 300000, 'completed', NULL, 1, 0, 1, 1, '{"ok":true}', 1, 2),
                ($1, 'waiting', 'q', '{"n":2}', 0, 1, 3, 1000, 2, 300000, 'queued', 1, 0, 0, 0, NULL, NULL, 1, 1)`,
        [DEFAULT_TENANT],
      );
    });
    expect(await migrateSchema(db, schema)).toEqual(MIGRATIONS.filter((migration) => migration.version > 1).map((migration) => migration.name));
    await db.close();
    const backend = await open(schema, { clock: undefined });
    const { engine } = backend;
    expect(await engine.getTask("done")).toMatchObject({ state: "completed", attempt: 1, epoch: 1, result: { ok: true }, payload: { n: 1 } });
    expect((await engine.getTask("waiting"))?.state).toBe("ready");
    // The epoch-1 lease that completed it was granted before leases had ids (0003): no holder can
    // present its leaseId, so repeating its complete is STALE_LEASE (SPEC T4) and changes nothing.
    const [lease] = await engine.claim({ workerId: "w", queues: ["q"], leaseMs: 60_000 });
    expect(lease?.taskId).toBe("waiting");
    expect(await failure(engine.complete({ ...lease!, taskId: "done", epoch: 1 }))).toMatchObject({ code: "STALE_LEASE" });
    expect(await engine.getTask("done")).toMatchObject({ state: "completed", epoch: 1, result: { ok: true } });
    expect((await engine.queueStats("q")).counts).toMatchObject({ completed: 1, leased: 1 });
    expect(await engine.cancel("done")).toBe(false);
    // 0011: a task completed before it has no enqueue number and no backoff of its own; it lists
    // before the tasks enqueued since and a replay gives it core's default backoff (SPEC E26).
    const listed = async (): Promise<string[]> => (await engine.listTasks({ limit: 10 })).items.map((task) => task.id);
    expect(await listed()).toEqual(["done", "waiting"]);
    await engine.replay("done");
    expect(await engine.getTask("done")).toMatchObject({ state: "ready", replays: 1, attempt: 1, epoch: 1, result: null });
    expect(await listed()).toEqual(["done", "waiting"]);
    await backend.close();
  });

  it("five processes migrating one fresh schema at the same moment leave one correct schema", async () => {
    const reference = schemas.name("single");
    await (await open(reference)).close();
    const schema = schemas.name("racing");
    const children = await startTogether(() => ["migrate", url, schema], 5);
    const results = await Promise.all(children.map((child) => child.result));
    expect(results).toEqual(Array.from({ length: 5 }, () => ({ ok: true })));
    const count = await withClient(async (client) => (await client.query(`SELECT count(*)::int AS n FROM ${quoteIdentifier(schema)}.${LEDGER_TABLE}`)).rows[0]?.n);
    expect(count).toBe(MIGRATIONS.length);
    expect(await tableNames(schema)).toEqual(await tableNames(reference));
    const backend = await open(schema);
    const { id } = await backend.engine.enqueue({ queue: "q" });
    const [lease] = await backend.engine.claim({ workerId: "w", queues: ["q"], leaseMs: 1_000 });
    expect(lease?.taskId).toBe(id);
    await backend.close();
  });
});

describe.skipIf(!server)("dead letters (SPEC E10, E12)", () => {
  it("tasks that die in one reclaim are listed in the order they were settled (oldest expiry, then enqueue order), every time", async () => {
    // The death order used to be drawn by nextval in a subquery the join could rescan: two tasks
    // dying together then got their numbers swapped about half the time (E10.model-reclaim).
    const schema = schemas.name("deaths");
    const clock = new ManualClock(1_000_000);
    const backend = await open(schema, { clock });
    try {
      for (let round = 0; round < 6; round++) {
        const engine = backend.forTenant(`deaths-${round}`).engine;
        const ids: string[] = [];
        for (const priority of [0, -1, 3, 0, -2]) ids.push((await engine.enqueue({ queue: "q", priority, maxAttempts: 1 })).id);
        expect(await engine.claim({ workerId: "w", queues: ["q"], leaseMs: 5_000, limit: 5 })).toHaveLength(5);
        clock.advance(5_000);
        await engine.reclaimExpired();
        const dead = await engine.listDeadLetters({ limit: 10 });
        expect(dead.items.map((task) => task.id), `round ${round}`).toEqual(ids);
      }
    } finally {
      await backend.close();
    }
  });
});

describe.skipIf(!server)("replay moves a completed task back into the hot table (SPEC E26, migration 0011)", () => {
  it("of concurrent replays of one completed task, one applies and the others find it ready", async () => {
    const schema = schemas.name("replays");
    const backends = [await open(schema), await open(schema), await open(schema)];
    const [engine, ...others] = backends.map((backend) => backend.engine);
    try {
      for (let round = 0; round < 5; round++) {
        const { id } = await engine!.enqueue({ queue: "q" });
        const [lease] = await engine!.claim({ workerId: "w", queues: ["q"], leaseMs: 60_000 });
        await engine!.complete(lease!);
        const outcomes = await Promise.allSettled([engine!, ...others].map((client) => client.replay(id)));
        expect(outcomes.filter((outcome) => outcome.status === "fulfilled"), `round ${round}`).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === "rejected") expect(outcome.reason).toMatchObject({ code: "INVALID_STATE", details: { taskId: id, state: "ready" } });
        }
        expect(await engine!.getTask(id)).toMatchObject({ state: "ready", replays: 1 });
        await engine!.cancel(id);
      }
    } finally {
      await Promise.all(backends.map((backend) => backend.close()));
    }
  });

  it("a replayed task of a concurrency key counts under the key's limit again, and leaves no key row once settled (SPEC E20)", async () => {
    const schema = schemas.name("replaykey");
    const backend = await open(schema);
    const { engine } = backend;
    try {
      await engine.setQueue("q", { keyConcurrency: 1 });
      const first = (await engine.enqueue({ queue: "q", concurrencyKey: "k" })).id;
      const claim = () => engine.claim({ workerId: "w", queues: ["q"], leaseMs: 60_000, limit: 5 });
      const [lease] = await claim();
      await engine.complete(lease!);
      const second = (await engine.enqueue({ queue: "q", concurrencyKey: "k" })).id;
      await engine.replay(first);
      const [replayed, ...none] = await claim();
      expect(replayed).toMatchObject({ taskId: first, epoch: 2, concurrencyKey: "k" });
      expect(none).toEqual([]);
      expect(await claim()).toEqual([]);
      await engine.complete(replayed!);
      const [next] = await claim();
      expect(next?.taskId).toBe(second);
      await engine.complete(next!);
      const keys = await withClient(async (client) => (await client.query(`SELECT key, tasks FROM ${quoteIdentifier(schema)}.concurrency_keys`)).rows);
      expect(keys).toEqual([]);
    } finally {
      await backend.close();
    }
  });
  // A completed dependency's row is key-share locked by an enqueue depending on it (dependencies-lock),
  // so a replay and such an enqueue take turns: either way the dependent waits for the replayed
  // task, counted once, and its next completion releases it (SPEC E16, E26).
  /** Resolves once `call` waits for `holder`'s transaction; fails should it end without waiting. */
  async function waitedFor(holder: pg.Client, call: Promise<unknown>, what: string): Promise<void> {
    const ended = call.then(() => "ended", () => "ended");
    const first = await Promise.race([waitForWaiters(holder).then(() => "waits"), ended]);
    if (first !== "waits") throw new Error(`${what} did not wait for the other transaction`);
  }

  async function completedPair(engine: Backend["engine"]): Promise<{ a: string; b: string; complete: (id: string) => Promise<void> }> {
    const a = (await engine.enqueue({ queue: "a" })).id;
    const b = (await engine.enqueue({ queue: "b" })).id;
    const complete = async (id: string): Promise<void> => {
      const [lease] = await engine.claim({ workerId: "w", queues: [id === a ? "a" : "b"], leaseMs: 60_000 });
      expect(lease?.taskId).toBe(id);
      await engine.complete(lease!);
    };
    await complete(a);
    return { a, b, complete };
  }

  it("an enqueue depending on a completed task that a replay is moving back waits for it, and counts it pending", async () => {
    const schema = schemas.name("replaydep");
    const clock = new ManualClock();
    const backend = await open(schema, { clock });
    const { engine } = backend;
    try {
      const { a, b, complete } = await completedPair(engine);
      const statements = loadStatements(schema);
      const { baseMs, factor, maxMs } = { baseMs: 1000, factor: 2, maxMs: 60_000 };
      await withClient(async (replayer) => {
        // Another process's replay moved `a` back and has not committed yet.
        await replayer.query("BEGIN");
        const moved = await replayer.query(statements["task-restore"].text, [clock.now(), DEFAULT_TENANT, a, false, null, baseMs, factor, maxMs]);
        expect(moved.rowCount).toBe(1);
        const enqueued = engine.enqueue({ queue: "d", dependsOn: [a, b] });
        await waitedFor(replayer, enqueued, "the enqueue");
        await replayer.query(statements["dependents-rewait"].text, [DEFAULT_TENANT, a]);
        await replayer.query("COMMIT");
        const { id } = await enqueued;
        expect(await engine.getTask(id)).toMatchObject({ state: "blocked", pendingDependencies: [a, b] });
        await complete(b);
        expect(await engine.getTask(id)).toMatchObject({ state: "blocked", pendingDependencies: [a] });
        await complete(a);
        expect(await engine.getTask(id)).toMatchObject({ state: "ready", pendingDependencies: [] });
      });
    } finally {
      await backend.close();
    }
  });

  it("a replay of a completed task that an uncommitted enqueue depends on waits for it, and counts it pending for the new dependent", async () => {
    const schema = schemas.name("depreplay");
    const clock = new ManualClock();
    const backend = await open(schema, { clock });
    const { engine } = backend;
    try {
      const { a, b, complete } = await completedPair(engine);
      const statements = loadStatements(schema);
      const d = "dependent";
      await withClient(async (enqueuer) => {
        // Another process's enqueue of a task depending on a and b, as enqueue runs it, not committed yet.
        await enqueuer.query("BEGIN");
        const locked = await enqueuer.query(statements["dependencies-lock"].text, [DEFAULT_TENANT, [a, b].sort()]);
        expect(new Map(locked.rows.map((row: { id: string; state: string }) => [row.id, row.state]))).toEqual(new Map([[a, "completed"], [b, "queued"]]));
        const [payload, kind, bytes] = storedValueColumns({});
        await enqueuer.query(statements["tasks-insert"].text, [
          clock.now(), DEFAULT_TENANT, [d], ["d"], [payload], [0], [null], [3], [1000], [2], [60_000], [null], [null], ["blocked"], [1], [null], "unused", [kind], [bytes], [null],
        ]);
        await enqueuer.query(statements["dependencies-insert"].text, [DEFAULT_TENANT, d, [a, b]]);
        const replayed = engine.replay(a);
        await waitedFor(enqueuer, replayed, "the replay");
        await enqueuer.query("COMMIT");
        await replayed;
      });
      expect(await engine.getTask(d)).toMatchObject({ state: "blocked", pendingDependencies: [a, b] });
      await complete(b);
      expect(await engine.getTask(d)).toMatchObject({ state: "blocked", pendingDependencies: [a] });
      await complete(a);
      expect(await engine.getTask(d)).toMatchObject({ state: "ready", pendingDependencies: [] });
    } finally {
      await backend.close();
    }
  });
});

describe.skipIf(!server)("errors say which failure happened", () => {
  let secured: EphemeralPostgres | undefined;
  beforeAll(async () => {
    secured = await EphemeralPostgres.start({ password: "right-password" });
  });
  afterAll(async () => {
    await secured?.stop();
  });

  it("wrong credentials: UNAVAILABLE naming authentication and the user", async () => {
    const target = new URL(secured?.url ?? "");
    target.password = "wrong-password";
    const error = await failure(createPostgresBackend({ connectionString: target.toString(), connectionTimeoutMs: 5_000 }));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.details.reason).toBe("authentication");
    expect(error.message).toContain('authentication failed for user "postgres"');
    // The right password works on the same server.
    const backend = await createPostgresBackend({ connectionString: secured?.url ?? "", schema: "mooring" });
    await backend.ping();
    await backend.close();
  });

  it("nothing listening: UNAVAILABLE naming the address", async () => {
    const port = await freePort();
    const error = await failure(createPostgresBackend({ connectionString: `postgres://postgres@127.0.0.1:${port}/test` }));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.details.reason).toBe("unreachable");
    expect(error.message).toContain(`nothing is listening at 127.0.0.1:${port}`);
  });

  it("an unknown host: UNAVAILABLE naming the host", async () => {
    const error = await failure(createPostgresBackend({ connectionString: "postgres://postgres@no-such-host.invalid:5432/test", connectionTimeoutMs: 5_000 }));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.details.reason).toBe("unknown-host");
    expect(error.message).toContain('the host "no-such-host.invalid" could not be resolved');
  });

  it("a missing database: UNAVAILABLE naming the database", async () => {
    const target = new URL(url);
    target.pathname = "/no_such_database_for_mooring";
    const error = await failure(createPostgresBackend({ connectionString: target.toString() }));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.details.reason).toBe("missing-database");
    expect(error.message).toContain('database "no_such_database_for_mooring" does not exist');
  });

  it("maps serialization failures, deadlocks, duplicates, missing references and cancelled statements in one place", () => {
    const target = { host: "h", port: 1, database: "d", user: "u" };
    const pool = { size: 1, connectionTimeoutMs: 1, statementTimeoutMs: 5, exhausted: false };
    const codeOf = (code: string) => mapPostgresError(Object.assign(new Error(code), { code }), "op", target, pool)?.code;
    expect(["40001", "40P01", "23505", "23503", "57014", "57P01", "08006", "53300"].map(codeOf)).toEqual([
      "UNAVAILABLE",
      "UNAVAILABLE",
      "INVALID_STATE",
      "NOT_FOUND",
      "TIMEOUT",
      "UNAVAILABLE",
      "UNAVAILABLE",
      "UNAVAILABLE",
    ]);
  });

  it("a unique violation no statement expects (a schema edited by hand) is INVALID_STATE naming the constraint, never a contract CONFLICT (SPEC C4)", async () => {
    const schema = schemas.name("constraint");
    const backend = await open(schema);
    const constraint = "runs_one_per_workflow";
    await withClient((client) => client.query(`CREATE UNIQUE INDEX ${quoteIdentifier(constraint)} ON ${quoteIdentifier(schema)}.runs (tenant_id, workflow_id)`));
    await backend.workflows.createRun({ id: "first", workflowId: "w", version: "1" });
    const error = await failure(backend.workflows.createRun({ id: "second", workflowId: "w", version: "1" }));
    expect(error.code).toBe("INVALID_STATE");
    expect(error.details).toEqual({ constraint });
    expect(error.operation).toBe("workflows.createRun");
    expect(await backend.workflows.getRun("second")).toBeNull();
    // The contract's own duplicates keep their CONFLICT and details.
    const duplicate = await failure(backend.workflows.createRun({ id: "first", workflowId: "w", version: "1" }, { ifExists: "error" }));
    expect([duplicate.code, duplicate.details]).toEqual(["CONFLICT", { runId: "first" }]);
    await backend.close();
  });

  describe("bounds instead of hangs", () => {
    /** Holds a task's row lock on another connection while `body` runs. */
    async function whileLocked<T>(schema: string, taskId: string, body: () => Promise<T>): Promise<T> {
      const client = new pg.Client({ connectionString: url });
      client.on("error", () => undefined);
      await client.connect();
      try {
        await client.query("BEGIN");
        await client.query(`SELECT 1 FROM ${quoteIdentifier(schema)}.tasks WHERE id = $1 FOR UPDATE`, [taskId]);
        return await body();
      } finally {
        await client.query("ROLLBACK");
        await client.end();
      }
    }

    it("an exhausted pool fails with TIMEOUT after connectionTimeoutMs, never hangs", async () => {
      const schema = schemas.name("exhausted");
      await (await open(schema)).close();
      const backend = await open(schema, { poolSize: 1, connectionTimeoutMs: 300, migrate: false });
      const { id } = await backend.engine.enqueue({ queue: "q" });
      let blocked: Promise<boolean> | undefined;
      await whileLocked(schema, id, async () => {
        // cancel takes the pool's only connection and waits for the row lock.
        blocked = backend.engine.cancel(id);
        await new Promise((resolve) => setImmediate(resolve));
        const started = performance.now();
        const error = await failure(backend.engine.getTask(id));
        const elapsed = performance.now() - started;
        expect(error.code).toBe("TIMEOUT");
        expect(error.message).toContain("all 1 connections of the pool stayed busy for 300 ms");
        // A lower bound only: it waited for the pool. How much longer it took is the machine's speed.
        expect(elapsed).toBeGreaterThanOrEqual(250);
      });
      expect(await blocked).toBe(true);
      await backend.close();
    });

    it("a statement past statementTimeoutMs fails with TIMEOUT", async () => {
      const schema = schemas.name("slow");
      // Migrate with the default timeout first: on a loaded machine the migration alone can take
      // longer than the 200 ms this test gives the statement it means to time out.
      await (await open(schema)).close();
      const backend = await open(schema, { statementTimeoutMs: 200, migrate: false });
      const { id } = await backend.engine.enqueue({ queue: "q" });
      const error = await whileLocked(schema, id, () => failure(backend.engine.cancel(id)));
      expect(error.code).toBe("TIMEOUT");
      expect(error.message).toContain("statementTimeoutMs (200 ms)");
      expect((await backend.engine.getTask(id))?.state).toBe("ready");
      await backend.close();
    });
  });
});

describe.skipIf(!server)("claims from many pools and processes at once (SPEC E4, E17, K3)", () => {
  it("8 pools claiming from one schema: every task goes to exactly one claimer", async () => {
    const schema = schemas.name("pools");
    const backends = await Promise.all(Array.from({ length: 8 }, () => open(schema)));
    const queue = "shared";
    const ids: string[] = [];
    for (let batch = 0; batch < 3; batch++) {
      const results = await backends[0]!.engine.enqueueMany(Array.from({ length: 400 }, (_, n) => ({ queue, payload: { batch, n } })));
      ids.push(...results.map((result) => result.id));
    }
    const granted = (await Promise.all(backends.map((backend, index) => drain(backend, queue, `pool-${index}`)))).flat();
    expectEachOnce(granted, ids);
    expect((await backends[0]!.engine.queueStats(queue)).counts.completed).toBe(ids.length);
    await Promise.all(backends.map((backend) => backend.close()));
  });

  it("a queue's concurrency limit holds while 8 pools claim at once", async () => {
    const schema = schemas.name("limited");
    const backends = await Promise.all(Array.from({ length: 8 }, () => open(schema)));
    const engine = backends[0]!.engine;
    const queue = "limited";
    await engine.setQueue(queue, { concurrency: 3 });
    const ids = (await engine.enqueueMany(Array.from({ length: 30 }, () => ({ queue })))).map((result) => result.id);
    const completed: string[] = [];
    for (let round = 0; completed.length < ids.length && round < 100; round++) {
      const leases: Lease[] = (await Promise.all(backends.map((backend, index) => backend.engine.claim({ workerId: `pool-${index}`, queues: [queue], leaseMs: 60_000, limit: 2 })))).flat();
      expect(leases.length).toBeLessThanOrEqual(3);
      expect(leases.length).toBeGreaterThan(0);
      await Promise.all(leases.map((lease) => engine.complete(lease)));
      completed.push(...leases.map((lease) => lease.taskId));
    }
    expectEachOnce(completed, ids);
    await Promise.all(backends.map((backend) => backend.close()));
  });

  it("4 processes and 4 pools of this one claiming from one schema: every task goes to exactly one claimer", async () => {
    const schema = schemas.name("processes");
    // The children use the server's clock; so must this process, or its tasks would be due in the
    // injected clock's future (SPEC C3: clients agree by sharing one clock).
    const backends = await Promise.all(Array.from({ length: 4 }, () => open(schema, { clock: undefined })));
    const queue = "shared";
    const ids = (await backends[0]!.engine.enqueueMany(Array.from({ length: 1_000 }, (_, n) => ({ queue, payload: n })))).map((result) => result.id);
    const children = await startTogether((index) => ["work", url, schema, queue, `process-${index}`], 4);
    const local = await Promise.all(backends.map((backend, index) => drain(backend, queue, `local-${index}`)));
    const remote = await Promise.all(children.map((child) => child.result));
    for (const result of remote) expect(result.ok, result.error).toBe(true);
    expectEachOnce([...local.flat(), ...remote.flatMap((result) => result.completed ?? [])], ids);
    expect(remote.some((result) => (result.completed?.length ?? 0) > 0)).toBe(true);
    await Promise.all(backends.map((backend) => backend.close()));
  });
});

describe.skipIf(!server)("claims and completions of one moment share a statement, each keeps its own outcome", () => {
  it("concurrent claims get at most their limit, their own workerId, in call order and claim order", async () => {
    const backend = await open(schemas.name("coalesced"));
    const { engine } = backend;
    const queue = "q";
    const ids = (await engine.enqueueMany(Array.from({ length: 10 }, (_, n) => ({ queue, priority: 10 - n })))).map((result) => result.id);
    const limits = [1, 3, 2, 1, 5];
    const claims = await Promise.all(limits.map((limit, index) => engine.claim({ workerId: `w${index}`, queues: [queue], leaseMs: 60_000, limit })));
    claims.forEach((leases, index) => {
      expect(leases.every((lease) => lease.workerId === `w${index}` && lease.epoch === 1)).toBe(true);
      expect(leases.length).toBeLessThanOrEqual(limits[index] ?? 0);
    });
    // Ten tasks for twelve slots: the calls are served in order, each in claim order (priority).
    expect(claims.map((leases) => leases.map((lease) => lease.taskId))).toEqual([ids.slice(0, 1), ids.slice(1, 4), ids.slice(4, 6), ids.slice(6, 7), ids.slice(7, 10)]);
    for (const [index, leases] of claims.entries()) {
      for (const lease of leases) expect((await engine.getTask(lease.taskId))?.workerId).toBe(`w${index}`);
    }
    await backend.close();
  });

  it("a concurrency limit holds for the claims of one moment of one backend", async () => {
    const backend = await open(schemas.name("coalescedlimit"));
    const { engine } = backend;
    await engine.setQueue("limited", { concurrency: 3 });
    await engine.enqueueMany(Array.from({ length: 10 }, () => ({ queue: "limited" })));
    const claims = await Promise.all(Array.from({ length: 8 }, (_, index) => engine.claim({ workerId: `w${index}`, queues: ["limited"], leaseMs: 60_000 })));
    expect(claims.flat().length).toBe(3);
    await backend.close();
  });

  it("concurrent completes: each valid lease completes, a repeat succeeds, stale, forged and expired leases are told why", async () => {
    const clock = new ManualClock();
    const backend = await open(schemas.name("completions"), { clock });
    const { engine } = backend;
    const parent = await engine.enqueue({ queue: "q" });
    const child = await engine.enqueue({ queue: "later", dependsOn: [parent.id] });
    await engine.enqueueMany(Array.from({ length: 5 }, () => ({ queue: "q" })));
    const leases = await engine.claim({ workerId: "w", queues: ["q"], leaseMs: 60_000, limit: 6 });
    expect(leases.length).toBe(6);
    const [first, second, third, ...rest] = leases as [Lease, Lease, Lease, ...Lease[]];
    // A forgery of a held lease (its epoch, another leaseId) in the same batch as the real one (SPEC T4).
    const forged = { ...third, leaseId: `${third.leaseId.slice(1)}A` };
    await engine.revokeLease(second.taskId);
    const [again] = await engine.claim({ workerId: "w2", queues: ["q"], leaseMs: 1, limit: 1 });
    clock.advance(10);
    const outcomes = await Promise.all(
      [first, first, second, again!, forged, third, forged, ...rest].map((lease) =>
        engine.complete(lease).then(
          () => "ok",
          (error: unknown) => (MooringError.is(error) ? error.code : "?"),
        ),
      ),
    );
    expect(outcomes).toEqual(["ok", "ok", "STALE_LEASE", "LEASE_EXPIRED", "STALE_LEASE", "ok", "STALE_LEASE", ...rest.map(() => "ok")]);
    // The parent had a dependent: its completion released it in the same transaction.
    expect((await engine.getTask(parent.id))?.state).toBe("completed");
    expect((await engine.getTask(child.id))?.state).toBe("ready");
    await backend.close();
  });

  it("a completion that waits for a row a revocation is changing applies nothing once the revocation commits (SPEC E5)", async () => {
    const schema = schemas.name("racedcomplete");
    const backend = await open(schema);
    const { engine } = backend;
    await engine.enqueue({ queue: "q" });
    const [lease] = await engine.claim({ workerId: "w", queues: ["q"], leaseMs: 60_000 });
    if (!lease) throw new Error("nothing claimed");
    await withClient(async (other) => {
      // Another transaction revokes the lease and holds the row: the completion's statement reads
      // the task as leased, then waits for the row.
      await other.query("BEGIN");
      await other.query(`UPDATE ${quoteIdentifier(schema)}.tasks SET state = 'queued', ready_at = run_at, lease_expires_at = NULL, worker_id = NULL, ended_lease = 'revoked' WHERE id = $1`, [
        lease.taskId,
      ]);
      const completed = engine.complete(lease).then(
        () => "ok",
        (error: unknown) => (MooringError.is(error) ? error.code : String(error)),
      );
      await waitForWaiters(other);
      await other.query("COMMIT");
      expect(await completed).toBe("LEASE_REVOKED");
    });
    expect((await engine.getTask(lease.taskId))?.state).toBe("ready");
    await backend.close();
  });
  it("calls that wait for a row a completion is moving out find the task completed, not missing (SPEC E5, E7, E16)", async () => {
    const schema = schemas.name("racedmove");
    const clock = new ManualClock();
    const backend = await open(schema, { clock });
    const { engine } = backend;
    const { id } = await engine.enqueue({ queue: "q" });
    const [lease] = await engine.claim({ workerId: "w", queues: ["q"], leaseMs: 60_000 });
    if (!lease) throw new Error("nothing claimed");
    await withClient(async (completer) => {
      // Another process's completion moves the task to tasks_completed and has not committed yet.
      await completer.query("BEGIN");
      const moved = await completer.query(loadStatements(schema)["tasks-complete"].text, [clock.now(), [DEFAULT_TENANT], [id], [lease.epoch], [null], "unused", [lease.leaseId], [null], [null]]);
      expect(moved.rowCount).toBe(1);
      const outcome = <T>(call: Promise<T>): Promise<T | string> => call.catch((error: unknown) => (MooringError.is(error) ? error.code : String(error)));
      const failed = outcome(engine.fail(lease, { error: "late" }));
      const dependent = outcome(engine.enqueue({ queue: "after", dependsOn: [id] }));
      await waitForWaiters(completer, 2);
      await completer.query("COMMIT");
      expect(await failed).toBe("INVALID_STATE");
      const enqueued = await dependent;
      if (typeof enqueued === "string") throw new Error(`enqueue failed: ${enqueued}`);
      expect((await engine.getTask(enqueued.id))?.state).toBe("ready");
    });
    expect((await engine.getTask(id))?.state).toBe("completed");
    await backend.close();
  });
});

/** A node of `EXPLAIN (FORMAT JSON)`: the fields these tests read. */
interface PlanNode {
  readonly "Node Type": string;
  readonly "Relation Name"?: string;
  readonly "Index Name"?: string;
  readonly Filter?: string;
  readonly "Actual Loops"?: number;
  readonly Plans?: readonly PlanNode[];
}

/** How each node of `plan` that reads the tasks table reads it, e.g. "Tid Scan" or "Index Scan using tasks_pkey". */
function taskReads(plan: PlanNode): string[] {
  const reads = plan["Relation Name"] === "tasks" && plan["Node Type"] !== "ModifyTable";
  const own = reads ? [[plan["Node Type"], plan["Index Name"] && `using ${plan["Index Name"]}`, plan.Filter?.includes("ANY") && "rechecking ANY"].filter(Boolean).join(" ")] : [];
  return [...own, ...(plan.Plans ?? []).flatMap(taskReads)];
}

describe.skipIf(!server)("the batch statements read only the rows of their batch, whatever the statistics say", () => {
  // A plan that scans the table, walks the index of held leases or rechecks a list of every
  // address per row costs what the table or the batch holds squared, not what the batch holds.
  for (const [suffix, planning] of [
    ["plans_custom", "custom plan, no statistics"],
    ["plans_generic", "generic plan, analyzed"],
  ] as const) {
    it(`claim and complete of 500 leases: key probes, claim-index reads and address fetches only (${planning})`, async () => {
      const schema = schemas.name(suffix);
      const backend = await open(schema, { clock: undefined });
      await backend.engine.enqueueMany(Array.from({ length: 3_000 }, (_, n) => ({ queue: "q", payload: { n } })));
      const statements = loadStatements(schema);
      await withClient(async (client) => {
        if (planning === "generic plan, analyzed") {
          await client.query(`ANALYZE ${quoteIdentifier(schema)}.tasks`);
          await client.query("SET plan_cache_mode = force_generic_plan");
        }
        const explain = async (text: string, values: unknown[]): Promise<PlanNode> => {
          const result = await client.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
          const [row] = result.rows;
          if (!row) throw new Error("EXPLAIN returned nothing");
          return row["QUERY PLAN"][0].Plan;
        };
        const workers = Array.from({ length: 500 }, (_, slot) => `w${slot % 10}`);
        const claim = await explain(statements["tasks-claim"].text, [null, DEFAULT_TENANT, ["q"], workers, 60_000, "token", newLeaseIds(workers.length)]);
        expect(new Set(taskReads(claim))).toEqual(new Set(["Index Scan using tasks_claimable", "Index Only Scan using tasks_leased", "Tid Scan"]));
        const leased = await client.query<{ id: string; epoch: string; lease_id: string }>(`SELECT id, epoch, lease_id FROM ${quoteIdentifier(schema)}.tasks WHERE state = 'leased'`);
        expect(leased.rowCount).toBe(500);
        const ids = leased.rows.map((row) => row.id);
        const complete = await explain(statements["tasks-complete"].text, [
          null,
          ids.map(() => DEFAULT_TENANT),
          ids,
          leased.rows.map((row) => row.epoch),
          ids.map(() => null),
          "unused",
          leased.rows.map((row) => row.lease_id),
          // The results' kind markers and bytes (SPEC W13, migration 0006): plain JSON.
          ids.map(() => null),
          ids.map(() => null),
        ]);
        expect(new Set(taskReads(complete))).toEqual(new Set(["Index Scan using tasks_pkey", "Tid Scan"]));
        // Completed tasks moved out of the hot table (migration 0002).
        const left = await client.query(`SELECT 1 FROM ${quoteIdentifier(schema)}.tasks WHERE state = 'leased'`);
        expect(left.rowCount).toBe(0);
        const completed = await client.query(`SELECT 1 FROM ${quoteIdentifier(schema)}.tasks_completed`);
        expect(completed.rowCount).toBe(500);
      });
      await backend.close();
    });
  }
});

describe.skipIf(!server)("time and names", () => {
  it("without an injected clock, every time is the server's clock_timestamp() (SPEC C3)", async () => {
    const backend = await createPostgresBackend({ connectionString: url, schema: schemas.name("serverclock"), poolSize: 1 });
    const serverNow = () => withClient(async (client) => Number((await client.query("SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now")).rows[0]?.now));
    const before = await serverNow();
    const { id } = await backend.engine.enqueue({ queue: "q" });
    const [lease] = await backend.engine.claim({ workerId: "w", queues: ["q"], leaseMs: 60_000 });
    const after = await serverNow();
    const task = await backend.engine.getTask(id);
    expect(task?.createdAt).toBeGreaterThanOrEqual(before);
    expect(task?.createdAt).toBeLessThanOrEqual(after);
    expect(lease?.expiresAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(lease?.expiresAt).toBeLessThanOrEqual(after + 60_000);
    await backend.close();
  });

  it("W16: a log notification delivered late (its append came before the wait) does not make waitForEvents true", async () => {
    const schema = schemas.name("latelog");
    const backend = await open(schema);
    try {
      await backend.workflows.createRun({ id: "late", workflowId: "w", version: "1" });
      await backend.workflows.appendEvents("late", [{ type: "a" }]);
      const waiting = backend.workflows.waitForEvents("late", { after: 1, timeoutMs: 1_000 });
      // The append's own notification again and again while the wait is open, as a late
      // delivery would arrive: the wait must look at the log rather than trust it.
      let open = true;
      void waiting.finally(() => (open = false));
      const payload = JSON.stringify({ t: DEFAULT_TENANT, k: "log", q: "", i: "late", a: 0 });
      while (open) {
        await withClient((client) => client.query("SELECT pg_notify($1, $2)", [notificationChannel(schema), payload]));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await waiting).toBe(false);
      await backend.workflows.appendEvents("late", [{ type: "b" }]);
      expect(await backend.workflows.waitForEvents("late", { after: 1, timeoutMs: 1_000 })).toBe(true);
    } finally {
      await backend.close();
    }
  });

  it("a schema name with quotes, spaces and apostrophes works everywhere, quoted by one helper", async () => {
    const schema = schemas.name(`odd "name" it's`);
    const backend = await open(schema);
    const { engine } = backend;
    const parent = await engine.enqueue({ queue: "q", maxAttempts: 1 });
    const child = await engine.enqueue({ queue: "q", dependsOn: [parent.id] });
    const received: string[] = [];
    const stop = await engine.subscribe({ kinds: ["dead", "cancelled"] }, (event) => received.push(`${event.kind}:${event.taskId}`));
    const [lease] = await engine.claim({ workerId: "w", queues: ["q"], leaseMs: 1_000 });
    expect(await engine.fail(lease!, { error: "boom" })).toEqual({ outcome: "dead" });
    expect((await engine.getTask(child.id))?.state).toBe("cancelled");
    expect((await engine.listDeadLetters({ limit: 10 })).items.map((task) => task.id)).toEqual([parent.id]);
    expect((await engine.signal({ key: "k" })).deliveredTo).toEqual([]);
    // Delivered through LISTEN/NOTIFY: as soon as they arrive, however busy the machine (the bound
    // only detects events that never come).
    await vi.waitFor(() => expect(received).toHaveLength(2), { timeout: 60_000, interval: 20 });
    expect(received.sort()).toEqual([`cancelled:${child.id}`, `dead:${parent.id}`].sort());
    stop();
    await backend.close();
  });

  it("openFromUrl takes ?schema= and ?poolSize= from postgres:// and postgresql:// URLs", async () => {
    const schema = schemas.name("fromurl");
    for (const protocol of ["postgres:", "postgresql:"]) {
      const target = new URL(url);
      target.protocol = protocol;
      target.searchParams.set("schema", schema);
      target.searchParams.set("poolSize", "2");
      const backend = await openFromUrl(target.href, { clock: new ManualClock() });
      await backend.engine.enqueue({ queue: protocol });
      expect((await backend.engine.queueStats(protocol)).counts.ready).toBe(1);
      await backend.close();
    }
    const error = await failure(openFromUrl(`${url}?poolSize=zero`, {}));
    expect(error.code).toBe("VALIDATION");
  });
});

describe.skipIf(!server)("E20: a task enqueued while a fair claim runs", () => {
  // tasks-claim-limited's UPDATE sees the tasks committed when the statement began; claim_fairly's
  // own statements see those committed when each runs. A task committed in between was picked
  // (blocking its key at keyConcurrency 1) without being leased, and its key stayed blocked for a
  // lease duration: the World's vendor suite timed out on it. The claim now judges the queue's
  // blocked keys again in its transaction (keys-rejudge).
  it("is claimable by the next claim, its key not left blocked by a pick that was never leased", async () => {
    const schema = schemas.name("racepick");
    const backend = await open(schema, { poolSize: 3 });
    try {
      const { engine } = backend;
      const queue = "fair";
      await engine.setQueue(queue, { keyConcurrency: 1 });
      const first = await engine.enqueue({ queue, concurrencyKey: "first" });
      await withClient(async (client) => {
        // Hold the queue's settings row, which claim_fairly locks after the statement has begun.
        await client.query("BEGIN");
        await client.query(`SELECT 1 FROM ${quoteIdentifier(schema)}.queues WHERE queue = $1 FOR UPDATE`, [queue]);
        const claiming = engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 5 });
        // The claim's statement waits on that row lock.
        await waitForWaiters(client);
        const late = await engine.enqueue({ queue, concurrencyKey: "late" });
        await client.query("COMMIT");
        expect((await claiming).map((lease) => lease.taskId)).toEqual([first.id]);
        const next = await engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 5 });
        expect(next.map((lease) => lease.taskId)).toEqual([late.id]);
      });
    } finally {
      await backend.close();
    }
  });
});

describe.skipIf(!server)("E25: a tenant's waitpoint secrets, shared by every pool on the schema", () => {
  /** The tenant's secrets as stored: kid and whether it is the current one (never the secret). */
  async function secretRows(schema: string): Promise<{ kid: string; current: boolean }[]> {
    return withClient(async (client) => (await client.query<{ kid: string; current: boolean }>(`SELECT kid, valid_until IS NULL AS current FROM ${quoteIdentifier(schema)}.waitpoint_secrets ORDER BY kid`)).rows);
  }

  /** One leased task per backend, each ready for a holder call. */
  async function leaseEach(backends: readonly Backend[], queue: string): Promise<Lease[]> {
    await backends[0]!.engine.enqueueMany(backends.map(() => ({ queue })));
    const leases: Lease[] = [];
    for (const [index, backend] of backends.entries()) leases.push(...(await backend.engine.claim({ workerId: `pool-${index}`, queues: [queue], leaseMs: 60_000, limit: 1 })));
    expect(leases).toHaveLength(backends.length);
    return leases;
  }

  it("8 pools issuing the tenant's first waitpoints at once make one secret and sign with it", async () => {
    const schema = schemas.name("firstsecret");
    const clock = new ManualClock();
    const backends = await Promise.all(Array.from({ length: 8 }, () => open(schema, { clock })));
    const leases = await leaseEach(backends, "q");
    const created = await Promise.all(backends.map((backend, index) => backend.engine.createWaitpoint(leases[index]!, { key: "approval", expiresInMs: 60_000 })));
    const rows = await secretRows(schema);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.current).toBe(true);
    expect(new Set(created.map((waitpoint) => waitpoint.token.split(".")[1]))).toEqual(new Set([rows[0]?.kid]));
    for (const waitpoint of created) expect((await backends[1]!.engine.signal({ token: waitpoint.token })).duplicate).toBe(false);
    await Promise.all(backends.map((backend) => backend.close()));
  });

  it("rotations racing first waitpoints on 8 pools leave one current secret, each rotation retiring the one before it", async () => {
    const schema = schemas.name("rotations");
    const clock = new ManualClock();
    const backends = await Promise.all(Array.from({ length: 8 }, () => open(schema, { clock })));
    const leases = await leaseEach(backends.slice(0, 4), "q");
    const [rotations, created] = await Promise.all([
      Promise.all(backends.map((backend) => backend.engine.rotateWaitpointSecret({ graceMs: 60_000 }))),
      Promise.all(leases.map((lease, index) => backends[index]!.engine.createWaitpoint(lease, { key: "approval", expiresInMs: 60_000 }))),
    ]);
    const rows = await secretRows(schema);
    expect(rows.filter((row) => row.current)).toHaveLength(1);
    // The rotations took turns: each retired a different secret, and only the last one's is current.
    const retired = rotations.map((rotation) => rotation.previousKid).filter((kid) => kid !== null);
    expect(new Set(retired).size).toBe(retired.length);
    expect(rotations.filter((rotation) => rotation.previousKid === null).length).toBeLessThanOrEqual(1);
    const current = rows.find((row) => row.current)?.kid;
    expect(rotations.map((rotation) => rotation.kid)).toContain(current);
    expect(retired).not.toContain(current);
    // Each waitpoint was signed by a secret that was current at some point, and verifies in its grace.
    for (const waitpoint of created) expect((await backends[0]!.engine.signal({ token: waitpoint.token })).duplicate).toBe(false);
    await Promise.all(backends.map((backend) => backend.close()));
  });

  it("a waitpoint issued while a rotation holds the tenant's secrets waits for it, then signs with the secret it made current", async () => {
    const schema = schemas.name("rotationwait");
    const clock = new ManualClock();
    const backend = await open(schema, { clock });
    const { engine } = backend;
    const [lease] = await leaseEach([backend], "q");
    await engine.rotateWaitpointSecret({ graceMs: 0 });
    const secrets = `${quoteIdentifier(schema)}.waitpoint_secrets`;
    await withClient(async (client) => {
      // A rotation with no grace, by hand, under the lock waitpoint-secrets-lock takes, not yet committed:
      // a waitpoint that signed with the secret it retires would be refused from the start.
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 0))", [waitpointLockScope(schema), DEFAULT_TENANT]);
      await client.query(`UPDATE ${secrets} SET valid_until = $1 WHERE valid_until IS NULL`, [clock.now()]);
      await client.query(`INSERT INTO ${secrets} (tenant_id, kid, secret, created_at) VALUES ($1, 'rotated-by-hand', $2, $3)`, [DEFAULT_TENANT, Buffer.alloc(32, 1).toString("base64url"), clock.now()]);
      const issuing = engine.createWaitpoint(lease!, { key: "approval", expiresInMs: 60_000 });
      await waitForWaiters(client);
      await client.query("COMMIT");
      const { token } = await issuing;
      expect(token.split(".")[1]).toBe("rotated-by-hand");
      expect((await engine.signal({ token })).duplicate).toBe(false);
    });
    await backend.close();
  });
});

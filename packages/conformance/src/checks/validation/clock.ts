/**
 * C3 on the backend's own clock: without an injected clock a server backend keeps the server's
 * time (Postgres `clock_timestamp()`, Redis `TIME`), memory and SQLite `Date.now()`. These checks
 * run with `clock: "backend"`, so the runner creates the backend without a ManualClock, and they
 * compare every time the backend decides or stamps with wall-clock readings taken around the
 * call. They never wait: what they can see at once is where a time lands (a lease's `expiresAt`,
 * a `createdAt`) and which side of now it falls (a `runAt` an hour ahead or behind, a TTL of an
 * hour, a token that expired an hour ago). That a short TTL runs out on the server's clock would
 * need real time to pass, so no check asserts it.
 *
 * The kit and the server may run on different hosts whose clocks NTP keeps close, not equal:
 * every comparison allows WALL_CLOCK_TOLERANCE_MS either way. Unit mistakes (Redis `TIME` read as
 * seconds, or as microseconds, a lease length taken as seconds) are off by far more than that.
 */
import { type BackendClockCheck, type Check, defineCheck } from "../../registry.js";
import { claimInOrder, claimNothing, claimOne, enqueueTask, ensure, expectTask, leaseNewTask, newRun, same, sameBytes, show, succeeds, taskOf, utf8 } from "../support/index.js";

/** How far the backend's clock may be from the kit's wall clock (hosts kept in step by NTP). */
const WALL_CLOCK_TOLERANCE_MS = 60_000;

/** Far enough from now that a time on the wrong side of it cannot be within the tolerance. */
const HOUR_MS = 3_600_000;

/** The wall-clock readings taken just before and just after a call. */
interface WallWindow {
  readonly before: number;
  readonly after: number;
}

/** Calls `call` between two wall-clock readings. */
async function timed<T>(call: () => Promise<T>): Promise<{ readonly value: T; readonly window: WallWindow }> {
  const before = Date.now();
  const value = await call();
  return { value, window: { before, after: Date.now() } };
}

/**
 * Fails unless `time` is epoch milliseconds `offsetMs` after some instant of `window`, give or take
 * WALL_CLOCK_TOLERANCE_MS: the time a backend on its own clock decided during the call.
 */
function expectNearWallClock(time: number | null, window: WallWindow, offsetMs: number, what: string): void {
  ensure(typeof time === "number" && Number.isSafeInteger(time), `${what}: expected integer epoch milliseconds, got ${show(time)}`);
  const earliest = window.before + offsetMs;
  const latest = window.after + offsetMs;
  const drift = time < earliest ? time - earliest : time > latest ? time - latest : 0;
  ensure(
    Math.abs(drift) <= WALL_CLOCK_TOLERANCE_MS,
    `${what}: expected the wall-clock time of the call${offsetMs === 0 ? "" : ` + ${offsetMs} ms`} ` +
      `(${new Date(earliest).toISOString()} to ${new Date(latest).toISOString()}, ±${WALL_CLOCK_TOLERANCE_MS} ms), ` +
      `got ${time}, ${drift} ms off: the backend's own clock (SPEC C3) is wrong or in another unit`,
  );
}

/** `expectNearWallClock` for every named time of `record`, with no offset. */
function expectStampsNearWallClock<K extends string>(record: Readonly<Record<K, number | null>>, fields: readonly K[], window: WallWindow, what: string): void {
  for (const field of fields) expectNearWallClock(record[field], window, 0, `${what} ${field}`);
}

/** A C3 example on the backend's own clock; it requires `serverClock` besides `requires`. */
function ownClockCheck(check: Pick<BackendClockCheck, "id" | "title" | "requires" | "run">): Check {
  return defineCheck({ ...check, rule: "C3", requires: [...check.requires, "serverClock"], kind: "example", clock: "backend" });
}

const leaseExpiry = ownClockCheck({
  id: "C3.own-clock-lease-expiry",
  title: "on its own clock, a lease's expiresAt is the backend's now + leaseMs, and the lease is valid now",
  requires: ["leases"],
  async run(ctx) {
    const { engine } = ctx.backend;
    const claimMs = 5 * 60_000;
    const claimed = await timed(() => leaseNewTask(ctx, { leaseMs: claimMs }));
    const lease = claimed.value;
    expectNearWallClock(lease.expiresAt, claimed.window, claimMs, "claim's expiresAt");
    await expectTask(engine, lease.taskId, { state: "leased", leaseExpiresAt: lease.expiresAt }, "getTask of the leased task");
    const renewMs = 10 * 60_000;
    const renewed = await timed(() => succeeds(engine.renew(lease, { leaseMs: renewMs }), "renew"));
    expectNearWallClock(renewed.value.expiresAt, renewed.window, renewMs, "renew's expiresAt");
    // A backend comparing expiresAt with a now in another unit would call this lease expired.
    await succeeds(engine.complete(renewed.value), "complete of a lease that has minutes left on the backend's clock");
    await expectTask(engine, lease.taskId, { state: "completed" }, "getTask after complete");
  },
});

const runAt = ownClockCheck({
  id: "C3.own-clock-run-at",
  title: "on its own clock, a task whose runAt is an hour ahead is not claimable, one an hour behind is, and one without runAt is due now",
  requires: ["leases", "delays"],
  async run(ctx) {
    const { engine } = ctx.backend;
    const queue = ctx.unique("queue");
    const wall = Date.now();
    const ahead = await enqueueTask(engine, { queue, runAt: wall + HOUR_MS, payload: "an hour ahead" });
    const behind = await enqueueTask(engine, { queue, runAt: wall - HOUR_MS, payload: "an hour behind" });
    const enqueued = await timed(() => enqueueTask(engine, { queue, payload: "now" }));
    const due = enqueued.value;
    const task = await taskOf(engine, due);
    expectNearWallClock(task.runAt, enqueued.window, 0, "runAt of a task enqueued without one");
    expectStampsNearWallClock(task, ["createdAt", "updatedAt"], enqueued.window, "the task enqueued without runAt:");
    await expectTask(engine, ahead, { state: "scheduled", runAt: wall + HOUR_MS }, "getTask of the task an hour ahead");
    await expectTask(engine, behind, { state: "ready", runAt: wall - HOUR_MS }, "getTask of the task an hour behind");
    same(await claimInOrder(engine, queue, 2), [behind, due], "claim order of the due tasks (runAt ascending)");
    await claimNothing(engine, queue, "claim while the only task left runs an hour from now");
  },
});

const retryBackoff = ownClockCheck({
  id: "C3.own-clock-retry-backoff",
  title: "on its own clock, a failed attempt is retried at the backend's now + backoff, not before",
  requires: ["leases"],
  async run(ctx) {
    const { engine } = ctx.backend;
    const queue = ctx.unique("queue");
    const baseMs = 10 * 60_000;
    const id = await enqueueTask(engine, { queue, maxAttempts: 2, backoff: { baseMs, factor: 2, maxMs: HOUR_MS } });
    const lease = await claimOne(engine, queue, { taskId: id, leaseMs: 60_000 });
    const failed = await timed(() => succeeds(engine.fail(lease, { error: "boom" }), "fail"));
    const failure = failed.value;
    ensure(failure.outcome === "retry", `fail of attempt 1 of 2: expected outcome "retry", got ${show(failure)}`);
    expectNearWallClock(failure.runAt, failed.window, baseMs, "the retry's runAt");
    await expectTask(engine, id, { state: "scheduled", runAt: failure.runAt }, "getTask of the task waiting for its retry");
    await claimNothing(engine, queue, "claim while the retry is ten minutes away");
  },
});

const ttl = ownClockCheck({
  id: "C3.own-clock-ttl",
  title: "on its own clock, a value and a cached snapshot with an hour's TTL are live now, and savedAt is the backend's now",
  requires: ["kv"],
  async run(ctx) {
    const { state } = ctx.backend;
    const key = ctx.unique("key");
    const value = utf8("an hour to live");
    await succeeds(state.set(key, value, { ttlMs: HOUR_MS }), "set with an hour's TTL");
    sameBytes(await succeeds(state.get(key), "get"), value, "get of a value with an hour's TTL left");
    same(await succeeds(state.exists(key), "exists"), true, "exists of a value with an hour's TTL left");
    const executionId = ctx.unique("exec");
    const saved = await timed(() => succeeds(state.saveSnapshot({ executionId, sequence: 1, state: { live: true }, ttlMs: HOUR_MS }), "saveSnapshot"));
    const snapshot = await succeeds(state.loadSnapshot(executionId), "loadSnapshot");
    ensure(snapshot !== null, "loadSnapshot of a snapshot with an hour's TTL left: expected the snapshot, got null");
    expectNearWallClock(snapshot.savedAt, saved.window, 0, "the snapshot's savedAt");
  },
});

/** C3.own-clock-ttl as the conditional writes see it (S3's calls, so it needs kvCas besides kv). */
const ttlCas = ownClockCheck({
  id: "C3.own-clock-ttl-cas",
  title: "on its own clock, a value with an hour's TTL is present for setIfAbsent now",
  requires: ["kv", "kvCas"],
  async run(ctx) {
    const { state } = ctx.backend;
    const key = ctx.unique("key");
    await succeeds(state.set(key, utf8("an hour to live"), { ttlMs: HOUR_MS }), "set with an hour's TTL");
    same(await succeeds(state.setIfAbsent(key, utf8("other"), { ttlMs: HOUR_MS }), "setIfAbsent"), false, "setIfAbsent on a value with an hour's TTL left");
  },
});

const recordTimestamps = ownClockCheck({
  id: "C3.own-clock-timestamps",
  title: "on its own clock, createdAt, updatedAt and completedAt of definitions, runs, steps and events are the backend's now",
  requires: ["runs", "events"],
  async run(ctx) {
    const { workflows } = ctx.backend;
    const put = await timed(() => succeeds(workflows.putDefinition({ id: ctx.unique("def"), version: "1", spec: null }), "putDefinition"));
    expectStampsNearWallClock(put.value.definition, ["createdAt"], put.window, "putDefinition");
    const created = await timed(() => newRun(ctx));
    expectStampsNearWallClock(created.value, ["createdAt", "updatedAt"], created.window, "createRun");
    const runId = created.value.id;
    const running = await timed(() => succeeds(workflows.setRunStatus(runId, "running"), "setRunStatus running"));
    expectStampsNearWallClock(running.value, ["updatedAt"], running.window, "setRunStatus running");
    const step = await timed(() => succeeds(workflows.upsertStep(runId, { id: "step", status: "running" }), "upsertStep"));
    expectStampsNearWallClock(step.value, ["createdAt", "updatedAt"], step.window, "upsertStep");
    const appended = await timed(() => succeeds(workflows.appendEvents(runId, [{ type: "stamped" }]), "appendEvents"));
    const events = await succeeds(workflows.readEvents(runId), "readEvents");
    ensure(events.length === 1, `readEvents after one append: expected one event, got ${show(events)}`);
    expectStampsNearWallClock(events[0]!, ["createdAt"], appended.window, "the appended event");
    const completed = await timed(() => succeeds(workflows.setRunStatus(runId, "completed"), "setRunStatus completed"));
    expectStampsNearWallClock(completed.value, ["updatedAt", "completedAt"], completed.window, "setRunStatus completed");
  },
});

const tokenExpiry = ownClockCheck({
  id: "C3.own-clock-token-expiry",
  title: "on its own clock, a token expiring in an hour validates, one that expired an hour ago does not, and createdAt is the backend's now",
  requires: ["tokens"],
  async run(ctx) {
    const { tokens } = ctx.backend;
    const wall = Date.now();
    const live = await timed(() => succeeds(tokens.create({ name: "an hour left", role: "reader", expiresAt: wall + HOUR_MS }), "tokens.create"));
    expectStampsNearWallClock(live.value.info, ["createdAt"], live.window, "tokens.create");
    const expired = await succeeds(tokens.create({ name: "expired an hour ago", role: "reader", expiresAt: wall - HOUR_MS }), "tokens.create");
    const validated = await succeeds(tokens.validate(live.value.token), "tokens.validate");
    same(validated?.id, live.value.info.id, "tokens.validate of a token with an hour left");
    same(await succeeds(tokens.validate(expired.token), "tokens.validate"), null, "tokens.validate of a token that expired an hour ago");
  },
});

export const checks: Check[] = [leaseExpiry, runAt, retryBackoff, ttl, ttlCas, recordTimestamps, tokenExpiry];

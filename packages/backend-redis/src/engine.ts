/**
 * EngineBackend on Redis (SPEC E1–E19, E25, E28): every transition is one command of lua/ (the
 * task state machine is lua/includes/tasks.lua), so each is atomic and fenced inside Redis (a
 * waitpoint's token is signed and checked here between two commands: Lua has no HMAC);
 * waitForWork and subscribe listen on the tenant's pub/sub channel (notifications.ts).
 */
import {
  type CancelTasksOptions,
  cancelEach,
  type ClaimInput,
  type CompleteOptions,
  type CreatedWaitpoint,
  type CreateWaitpointInput,
  DEFAULTS,
  type EngineBackend,
  type EnqueueInput,
  type EnqueueResult,
  type FailOptions,
  type FailResult,
  type Frame,
  type GetSummaryOptions,
  type Json,
  type Lease,
  type ListDeadLettersRequest,
  type ListTasksRequest,
  MooringError,
  newId,
  newLeaseIds,
  newWaitpointSecret,
  type Page,
  type PageRequest,
  parseWaitpointToken,
  type Progress,
  type QueueSettings,
  type QueueSettingsInput,
  type QueueStats,
  type ReadFramesOptions,
  type ReclaimOptions,
  type ReclaimResult,
  type ReleaseOptions,
  type RenewOptions,
  type ReplayOptions,
  retryEachDeadLetter,
  type RetryDeadLetterOptions,
  type RetryDeadLettersRequest,
  type RotatedWaitpointSecret,
  type RotateWaitpointSecretOptions,
  type SignalInput,
  signWaitpointToken,
  type SignalResult,
  type StoredWaitpointSecret,
  type SubscribeFilter,
  type SuspendInput,
  type SuspendResult,
  TASK_EVENT_KINDS,
  type TaskEvent,
  type TaskEventKind,
  type TaskFilter,
  type TaskRecord,
  type TaskSummary,
  type TokenSignalInput,
  type Unsubscribe,
  type WaitForWorkOptions,
  type WaitpointInfo,
  waitpointFingerprint,
  verifyWaitpointToken,
  type Value,
  afterTail,
} from "@mooring/core";
import {
  asArray,
  asNullableNumber,
  asNullableString,
  asNumber,
  asString,
  decodeClaim,
  decodeCursor,
  decodeLease,
  decodeSignal,
  decodeTask,
  decodeValue,
  encodeCursor,
  encodeValue,
  invalidCursor,
  parseJson,
  splitFirstBar,
} from "./codec.js";
import type { RedisContext } from "./context.js";
import { scriptRejection } from "./errors.js";
import type { ScriptArg, ScriptName } from "./statements.js";
import { decodeId, encodeId, priorityKey } from "./keys.js";

const EVENT_KINDS: ReadonlySet<string> = new Set(TASK_EVENT_KINDS);

/** The settings with the rate limit when one is set (docs/decisions.md, issue 16). */
function withLimits(settings: QueueSettings, max: unknown, perMs: unknown, keyConcurrency: unknown): QueueSettings {
  const rateMax = asNullableNumber(max, "rateLimit.max");
  const ratePerMs = asNullableNumber(perMs, "rateLimit.perMs");
  const keyLimit = asNullableNumber(keyConcurrency, "keyConcurrency");
  return {
    ...settings,
    ...(keyLimit === null ? {} : { keyConcurrency: keyLimit }),
    ...(rateMax === null || ratePerMs === null ? {} : { rateLimit: { max: rateMax, perMs: ratePerMs } }),
  };
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * How often createWaitpoint signs again when a rotation replaced the secret between its two
 * scripts (rotations are rare: more than one in a row means something rotates in a loop).
 */
const MAX_SIGNING_ATTEMPTS = 5;

/** The reply of signal and signal-waitpoint: { signalId, duplicate, delivered task ids… }. */
function decodeSignalResult(reply: unknown): SignalResult {
  const f = asArray(reply, "signal");
  return {
    signalId: asString(f[0], "signal.id"),
    duplicate: asNumber(f[1], "signal.duplicate") === 1,
    deliveredTo: f.slice(2).map((id) => asString(id, "signal.deliveredTo")),
  };
}

/**
 * `call` with a script's rejection as its MooringError: core's bulk calls judge the codes of the
 * per-task calls they make on this engine (a task settled meanwhile is INVALID_STATE or NOT_FOUND),
 * and only the facet guard maps the rest.
 */
async function rejecting<T>(call: Promise<T>, operation: string): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw scriptRejection(error, operation) ?? error;
  }
}

export class RedisEngine implements EngineBackend {
  readonly #ctx: RedisContext;
  readonly #base: string;
  readonly #tenantId: string;

  constructor(ctx: RedisContext, base: string, tenantId: string) {
    this.#ctx = ctx;
    this.#base = base;
    this.#tenantId = tenantId;
  }

  #run(name: ScriptName, args: readonly ScriptArg[]): Promise<unknown> {
    return this.#ctx.run(name, this.#base, args);
  }

  /** `#run` with bulk strings as Buffers: for replies that may hold a value with bytes (SPEC W13). */
  #runBuffer(name: ScriptName, args: readonly ScriptArg[]): Promise<unknown> {
    return this.#ctx.runBuffer(name, this.#base, args);
  }

  async enqueue(task: EnqueueInput): Promise<EnqueueResult> {
    const [result] = await this.enqueueMany([task]);
    if (!result) throw new TypeError("enqueue: the script returned no result");
    return result;
  }

  async enqueueMany(tasks: readonly EnqueueInput[]): Promise<EnqueueResult[]> {
    if (tasks.length === 0) return [];
    const args: ScriptArg[] = [this.#ctx.now(), this.#ctx.limits.dedupTtlMs, this.#ctx.serverClock, tasks.length];
    for (const task of tasks) {
      const id = newId(this.#ctx.localNow());
      const priority = task.priority ?? DEFAULTS.priority;
      const backoff = { ...DEFAULTS.backoff, ...task.backoff };
      args.push(
        encodeId(id),
        id,
        encodeId(task.queue),
        task.queue,
        encodeValue(task.payload),
        String(priority),
        priorityKey(priority),
        task.runAt === undefined ? "" : String(task.runAt),
        String(task.maxAttempts ?? DEFAULTS.maxAttempts),
        String(backoff.baseMs),
        String(backoff.factor),
        String(backoff.maxMs),
        task.idempotencyKey === undefined ? "" : encodeId(task.idempotencyKey),
        task.idempotencyKey ?? "",
        task.runId ?? "",
        distinct(task.dependsOn ?? []).map(encodeId).join(" "),
        task.concurrencyKey === undefined ? "" : encodeId(task.concurrencyKey),
      );
    }
    const reply = asArray(await this.#run("enqueue", args), "enqueue");
    const results: EnqueueResult[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      results.push({ id: asString(reply[i], "enqueue.id"), created: asNumber(reply[i + 1], "enqueue.created") === 1 });
    }
    return results;
  }

  async claim(request: ClaimInput): Promise<Lease[]> {
    const queueOf = new Map<string, string>();
    for (const queue of request.queues) queueOf.set(encodeId(queue), queue);
    const limit = request.limit ?? DEFAULTS.claimLimit;
    // The script cannot draw secure random ids: one per lease it may grant (SPEC T4).
    const leaseIds = newLeaseIds(limit).join(" ");
    const reply = await this.#runBuffer("claim", [this.#ctx.now(), request.workerId, request.leaseMs, limit, leaseIds, ...queueOf.keys()]);
    return decodeClaim(reply, request.workerId, queueOf);
  }

  /** The fence's arguments of every holder script: now, tid, epoch, leaseId (SPEC E5, T4). */
  #holder(lease: Lease): [string, string, string, string] {
    return [this.#ctx.now(), encodeId(lease.taskId), String(lease.epoch), lease.leaseId];
  }

  async renew(lease: Lease, options?: RenewOptions): Promise<Lease> {
    const reply = await this.#runBuffer("renew", [
      ...this.#holder(lease),
      options?.leaseMs === undefined ? "" : String(options.leaseMs),
      options?.progress === undefined ? "" : JSON.stringify(options.progress),
    ]);
    return decodeLease(reply);
  }

  async complete(lease: Lease, options?: CompleteOptions): Promise<void> {
    await this.#run("complete", [...this.#holder(lease), encodeValue(options?.result)]);
  }

  async fail(lease: Lease, options: FailOptions): Promise<FailResult> {
    const reply = asArray(
      await this.#run("fail", [...this.#holder(lease), JSON.stringify(options.error), options.retryable === false ? "0" : "1"]),
      "fail",
    );
    return asString(reply[0], "fail.outcome") === "retry" ? { outcome: "retry", runAt: asNumber(reply[1], "fail.runAt") } : { outcome: "dead" };
  }

  async release(lease: Lease, options?: ReleaseOptions): Promise<void> {
    await this.#run("release", [...this.#holder(lease), options?.runAt === undefined ? "" : String(options.runAt)]);
  }

  async reclaimExpired(options?: ReclaimOptions): Promise<ReclaimResult> {
    const [retried, dead] = asArray(
      await this.#run("reclaim-expired", [this.#ctx.now(), options?.limit ?? DEFAULTS.reclaimLimit]),
      "reclaim-expired",
    );
    return {
      retried: asArray(retried, "retried").map((id) => asString(id, "retried")),
      deadLettered: asArray(dead, "deadLettered").map((id) => asString(id, "deadLettered")),
    };
  }

  async listDeadLetters(request: ListDeadLettersRequest): Promise<Page<TaskRecord>> {
    const after = decodeCursor(request.cursor, "dl", true) ?? "0";
    const reply = asArray(
      await this.#runBuffer("list-dead-letters", [this.#ctx.now(), request.queue === undefined ? "" : encodeId(request.queue), request.limit, after]),
      "list-dead-letters",
    );
    const next = asNullableString(reply[0], "cursor");
    return { items: reply.slice(1).map(decodeTask), cursor: next === null ? null : encodeCursor("dl", next) };
  }

  async retryDeadLetter(taskId: string, options?: RetryDeadLetterOptions): Promise<void> {
    await this.#run("retry-dead-letter", [this.#ctx.now(), encodeId(taskId), options?.resetAttempts === true ? "1" : "0"]);
  }

  async moveToDeadLetter(lease: Lease, error: Json): Promise<void> {
    await this.#run("move-to-dead-letter", [...this.#holder(lease), JSON.stringify(error)]);
  }

  async cancel(taskId: string, reason?: string): Promise<boolean> {
    const reply = await this.#run("cancel", [this.#ctx.now(), encodeId(taskId), reason === undefined ? "0" : "1", reason ?? ""]);
    return asNumber(reply, "cancel") === 1;
  }

  async revokeLease(taskId: string): Promise<boolean> {
    return asNumber(await this.#run("revoke-lease", [this.#ctx.now(), encodeId(taskId)]), "revoke-lease") === 1;
  }

  async getTask(taskId: string): Promise<TaskRecord | null> {
    const reply = await this.#runBuffer("get-task", [this.#ctx.now(), encodeId(taskId)]);
    return reply === null ? null : decodeTask(reply);
  }

  async changePriority(taskId: string, priority: number): Promise<void> {
    await this.#run("change-priority", [this.#ctx.now(), encodeId(taskId), String(priority), priorityKey(priority)]);
  }

  async replay(taskId: string, options: ReplayOptions = {}): Promise<void> {
    await this.#run("replay", [
      this.#ctx.now(),
      encodeId(taskId),
      options.resetAttempts === true ? "1" : "0",
      options.runAt === undefined ? "" : String(options.runAt),
    ]);
  }

  /** An asc cursor is refused by a desc walk and back: each order has its own cursor kind. */
  async listTasks(request: ListTasksRequest): Promise<Page<TaskRecord>> {
    const kind = request.order === "desc" ? "tasks-desc" : "tasks";
    const after = decodeCursor(request.cursor, kind, true) ?? "";
    const reply = asArray(
      await this.#runBuffer("list-tasks", [
        this.#ctx.now(),
        request.order === "desc" ? "desc" : "asc",
        after,
        request.limit,
        request.queue === undefined ? "" : encodeId(request.queue),
        request.state ?? "",
        request.runId ?? "",
        request.concurrencyKey === undefined ? "" : encodeId(request.concurrencyKey),
      ]),
      "list-tasks",
    );
    const next = asNullableString(reply[0], "cursor");
    return { items: reply.slice(1).map(decodeTask), cursor: next === null ? null : encodeCursor(kind, next) };
  }

  /** The page's names come from one script, each queue's stats from `queueStats` (one script each). */
  async listQueues(request: PageRequest): Promise<Page<QueueStats>> {
    const after = decodeCursor(request.cursor, "queues", false);
    const reply = await this.#run("list-queues", [after ?? "", after === null ? "0" : "1", request.limit]);
    if (reply === 0) throw invalidCursor();
    const names = asArray(reply, "list-queues");
    const next = asNullableString(names[0], "cursor");
    const items = await Promise.all(names.slice(1).map((name) => this.queueStats(asString(name, "list-queues.name"))));
    return { items, cursor: next === null ? null : encodeCursor("queues", next) };
  }

  async cancelTasks(filter: TaskFilter, options: CancelTasksOptions): Promise<{ cancelled: number }> {
    return cancelEach({ listTasks: (request) => this.listTasks(request), cancel: (id, reason) => rejecting(this.cancel(id, reason), "cancel") }, filter, options);
  }

  async retryDeadLetters(request: RetryDeadLettersRequest): Promise<{ retried: number }> {
    const retryDeadLetter = (id: string, options?: RetryDeadLetterOptions): Promise<void> => rejecting(this.retryDeadLetter(id, options), "retryDeadLetter");
    return retryEachDeadLetter({ listDeadLetters: (page) => this.listDeadLetters(page), retryDeadLetter }, request);
  }

  async suspend(lease: Lease, input: SuspendInput): Promise<SuspendResult> {
    const reply = asArray(
      await this.#run("suspend", [
        ...this.#holder(lease),
        input.mode ?? "any",
        input.timeoutAt === undefined ? "" : String(input.timeoutAt),
        ...distinct(input.keys).map(encodeId),
      ]),
      "suspend",
    );
    if (asNumber(reply[0], "suspend") === 1) return { suspended: true };
    return { suspended: false, signals: reply.slice(1).map(decodeSignal) };
  }

  async signal(input: SignalInput): Promise<SignalResult> {
    if (input.token !== undefined) return this.#signalWaitpoint(input);
    return decodeSignalResult(await this.#run("signal", [...this.#signalArgs(input), encodeId(input.key)]));
  }

  /** The arguments signal and signal-waitpoint share, their ARGV[1–7]. */
  #signalArgs(input: SignalInput): ScriptArg[] {
    return [
      this.#ctx.now(),
      this.#ctx.serverClock,
      this.#ctx.limits.dedupTtlMs,
      this.#ctx.limits.signalTtlMs,
      newId(this.#ctx.localNow()),
      input.idempotencyKey === undefined ? "" : encodeId(input.idempotencyKey),
      JSON.stringify(input.payload ?? null),
    ];
  }

  /**
   * E25: the token is judged here with the secret under its kid (Lua has no HMAC), then
   * signal-waitpoint judges again, at its own now, what may have changed since (the secret's
   * validity, the expiry, the waitpoint) and delivers in the same script.
   */
  async #signalWaitpoint(input: TokenSignalInput): Promise<SignalResult> {
    const parsed = parseWaitpointToken(input.token);
    const { now, secret } = parsed === null ? { now: 0, secret: null } : await this.#waitpointSecret(parsed.kid);
    const token = verifyWaitpointToken(parsed, this.#tenantId, secret, now);
    const args = [...this.#signalArgs(input), encodeId(token.claims.waitpointId), token.kid, token.claims.expiresAt];
    return decodeSignalResult(await this.#run("signal-waitpoint", args));
  }

  /** The tenant's secret under `kid` (null when none) and the store's now. */
  async #waitpointSecret(kid: string): Promise<{ now: number; secret: StoredWaitpointSecret | null }> {
    const reply = asArray(await this.#run("waitpoint-secret", [this.#ctx.now(), kid]), "waitpoint-secret");
    const now = asNumber(reply[0], "waitpoint-secret.now");
    if (reply.length === 1) return { now, secret: null };
    const validUntil = asString(reply[1], "waitpoint-secret.validUntil");
    return { now, secret: { kid, secret: asString(reply[2], "waitpoint-secret.secret"), validUntil: validUntil === "" ? null : Number(validUntil) } };
  }

  /**
   * E25: prepare-waitpoint returns the secret that signs (creating the tenant's first) and the
   * store's now; the token is signed here (Lua has no HMAC) and create-waitpoint stores its
   * fingerprint, fenced again, unless a rotation came in between: then it is signed again.
   */
  async createWaitpoint(lease: Lease, input: CreateWaitpointInput): Promise<CreatedWaitpoint> {
    for (let attempt = 0; attempt < MAX_SIGNING_ATTEMPTS; attempt++) {
      const fresh = newWaitpointSecret();
      const prepared = asArray(await this.#run("prepare-waitpoint", [...this.#holder(lease), fresh.kid, fresh.secret]), "prepare-waitpoint");
      const now = asNumber(prepared[0], "prepare-waitpoint.now");
      const kid = asString(prepared[1], "prepare-waitpoint.kid");
      const waitpointId = newId(this.#ctx.localNow());
      const expiresAt = now + input.expiresInMs;
      const claims = { tenantId: this.#tenantId, taskId: lease.taskId, key: input.key, expiresAt, waitpointId };
      const token = signWaitpointToken(claims, { kid, secret: asString(prepared[2], "prepare-waitpoint.secret") });
      const created = await this.#run("create-waitpoint", [
        ...this.#holder(lease),
        encodeId(waitpointId),
        waitpointId,
        encodeId(input.key),
        kid,
        waitpointFingerprint(token),
        expiresAt,
      ]);
      if (asNumber(created, "create-waitpoint") === 1) return { waitpointId, token, expiresAt };
    }
    throw new MooringError("UNAVAILABLE", `createWaitpoint: the tenant's waitpoint secret was rotated during each of ${MAX_SIGNING_ATTEMPTS} attempts to sign`);
  }

  async listWaitpoints(taskId: string): Promise<WaitpointInfo[]> {
    const reply = asArray(await this.#run("list-waitpoints", [this.#ctx.now(), encodeId(taskId)]), "list-waitpoints");
    const now = asNumber(reply[0], "list-waitpoints.now");
    return reply.slice(1).map((row) => {
      const f = asArray(row, "waitpoint");
      const expiresAt = asNumber(f[4], "waitpoint.expiresAt");
      const signalId = asNullableString(f[6], "waitpoint.signalId");
      return {
        waitpointId: asString(f[0], "waitpoint.id"),
        taskId,
        key: decodeId(asString(f[1], "waitpoint.key")),
        kid: asString(f[2], "waitpoint.kid"),
        fingerprint: asString(f[3], "waitpoint.fingerprint"),
        expiresAt,
        createdAt: asNumber(f[5], "waitpoint.createdAt"),
        state: signalId !== null ? "delivered" : now >= expiresAt ? "expired" : "pending",
        signalId,
        deliveredAt: asNullableNumber(f[7], "waitpoint.deliveredAt"),
      };
    });
  }

  async rotateWaitpointSecret(options: RotateWaitpointSecretOptions): Promise<RotatedWaitpointSecret> {
    const fresh = newWaitpointSecret();
    const [previous, graceUntil] = asArray(
      await this.#run("rotate-waitpoint-secret", [this.#ctx.now(), options.graceMs, fresh.kid, fresh.secret]),
      "rotate-waitpoint-secret",
    ).map((field) => asString(field, "rotate-waitpoint-secret"));
    return previous ? { kid: fresh.kid, previousKid: previous, graceUntil: Number(graceUntil) } : { kid: fresh.kid, previousKid: null, graceUntil: null };
  }

  async setQueue(queue: string, settings: QueueSettingsInput): Promise<QueueSettings> {
    const concurrency = settings.concurrency === undefined ? "" : settings.concurrency === null ? "null" : String(settings.concurrency);
    const paused = settings.paused === undefined ? "" : settings.paused ? "1" : "0";
    const rate = settings.rateLimit === undefined ? "" : settings.rateLimit === null ? "null" : `${settings.rateLimit.max} ${settings.rateLimit.perMs}`;
    const keyLimit = settings.keyConcurrency === undefined ? "" : settings.keyConcurrency === null ? "null" : String(settings.keyConcurrency);
    const [limit, isPaused, rateMax, ratePerMs, keyConcurrency] = asArray(await this.#run("set-queue", [encodeId(queue), concurrency, paused, rate, keyLimit, queue]), "set-queue");
    return withLimits({ queue, concurrency: asNullableNumber(limit, "concurrency"), paused: asNumber(isPaused, "paused") === 1 }, rateMax, ratePerMs, keyConcurrency);
  }

  async queueStats(queue: string): Promise<QueueStats> {
    const f = asArray(await this.#run("queue-stats", [this.#ctx.now(), encodeId(queue)]), "queue-stats");
    const count = (index: number): number => asNumber(f[index], "queue-stats.count");
    const stats: QueueStats = {
      ...withLimits({ queue, concurrency: asNullableNumber(f[0], "concurrency"), paused: asNumber(f[1], "paused") === 1 }, f[11], f[12], f[14]),
      counts: {
        scheduled: count(2),
        ready: count(3),
        leased: count(4),
        completed: count(5),
        dead: count(6),
        cancelled: count(7),
        suspended: count(8),
        blocked: count(9),
      },
      oldestReadyAgeMs: asNullableNumber(f[10], "oldestReadyAgeMs"),
    };
    // Reported only while the rate limit holds ready work back (SPEC E21).
    const nextGrantAt = asNullableNumber(f[13], "nextGrantAt");
    return nextGrantAt !== null && stats.counts.ready > 0 ? { ...stats, nextGrantAt } : stats;
  }

  async progress(lease: Lease, progress: Progress): Promise<void> {
    await this.#run("progress", [...this.#holder(lease), JSON.stringify(progress)]);
  }

  async appendFrame(lease: Lease, data: Value): Promise<number> {
    return asNumber(await this.#run("append-frame", [...this.#holder(lease), encodeValue(data)]), "append-frame");
  }

  /**
   * E28: with `waitMs` and nothing after `after`, woken by the 'frame <tid>' line append-frame
   * publishes on the tenant's channel (`RedisContext.wait`).
   */
  async readFrames(taskId: string, options: ReadFramesOptions = {}): Promise<Frame[]> {
    const frames = await this.#readFrames(taskId, options);
    const waitMs = options.waitMs ?? 0;
    if (frames.length > 0 || waitMs === 0) return frames;
    const wanted = `frame ${encodeId(taskId)}`;
    return afterTail(this.#ctx, async () => {
      await this.#ctx.wait(this.#ctx.keys.channel(this.#tenantId), {
        matches: (line) => line === wanted,
        look: async () => (await this.#readFrames(taskId, { ...options, limit: 1 })).length > 0,
        timeoutMs: waitMs,
        signal: options.signal,
      });
      return this.#readFrames(taskId, options);
    });
  }

  async #readFrames(taskId: string, options: ReadFramesOptions): Promise<Frame[]> {
    const after = options.after ?? 0;
    const reply = asArray(
      await this.#runBuffer("read-frames", [
        encodeId(taskId),
        options.attempt === undefined ? "" : String(options.attempt),
        after,
        options.limit === undefined ? "" : String(options.limit),
      ]),
      "read-frames",
    );
    if (reply.length === 0) return [];
    const attempt = asNumber(reply[0], "read-frames.attempt");
    return reply.slice(1).map((entry, index) => {
      const [createdAt, data] = splitFirstBar(entry, "frame");
      return { taskId, attempt, sequence: after + 1 + index, data: decodeValue(data, "frame.data"), createdAt: Number(createdAt) };
    });
  }

  async setSummary(lease: Lease, summary: Json): Promise<void> {
    await this.#run("set-summary", [...this.#holder(lease), JSON.stringify(summary)]);
  }

  async getSummary(taskId: string, options: GetSummaryOptions = {}): Promise<TaskSummary | null> {
    const reply = asArray(await this.#run("get-summary", [encodeId(taskId), options.attempt === undefined ? "" : String(options.attempt)]), "get-summary");
    if (reply.length === 0) return null;
    const [updatedAt, summary] = splitFirstBar(reply[1], "get-summary.summary");
    return { taskId, attempt: asNumber(reply[0], "get-summary.attempt"), summary: parseJson(summary.toString("utf8")), updatedAt: Number(updatedAt) };
  }

  /**
   * Resolves true as soon as work may be claimable in `queues`: at once when it already is, else on
   * the first enqueue, release, retry or resume in those queues (pub/sub), or when a poll every
   * second finds some (notifications lost during a reconnect, or tasks whose runAt came). False at
   * the timeout, on abort, or when the backend closes. @see SPEC E19
   */
  async waitForWork(queues: readonly string[], options: WaitForWorkOptions): Promise<boolean> {
    const wanted = new Set(queues.map(encodeId));
    const args = [...wanted];
    return this.#ctx.wait(this.#ctx.keys.channel(this.#tenantId), {
      matches: (line) => {
        const [kind, queue] = line.split(" ");
        return (kind === "work" || kind === "enqueued") && queue !== undefined && wanted.has(queue);
      },
      look: async () => asNumber(await this.#run("has-work", [this.#ctx.now(), ...args]), "has-work") === 1,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
  }

  /**
   * Streams this tenant's task events of the given kinds (and queues) from the moment it resolves.
   * A listener that throws is reported through `onWarning` and keeps receiving. @see SPEC E19
   */
  async subscribe(filter: SubscribeFilter, onEvent: (event: TaskEvent) => void): Promise<Unsubscribe> {
    const kinds = new Set<string>(filter.kinds);
    const queues = filter.queues === undefined ? null : new Set(filter.queues.map(encodeId));
    const tenantId = this.#tenantId;
    const stop = await this.#ctx.hub.listen(this.#ctx.keys.channel(tenantId), (message) => {
      for (const line of message.split("\n")) {
        const [kind, queue, task, at] = line.split(" ");
        if (kind === undefined || queue === undefined || task === undefined || at === undefined) continue;
        if (!EVENT_KINDS.has(kind) || !kinds.has(kind) || (queues !== null && !queues.has(queue))) continue;
        const event: TaskEvent = { kind: kind as TaskEventKind, taskId: decodeId(task), queue: decodeId(queue), tenantId, at: Number(at) };
        try {
          onEvent(event);
        } catch (error) {
          this.#ctx.onWarning(`[mooring/redis] a subscribe listener threw: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    });
    return stop;
  }
}

/**
 * The World's `Queue` on Mooring's engine: `queue()` enqueues a task, a dispatcher claims tasks
 * and delivers each to the app's handler over HTTP (the DevKit mounts its handlers at
 * `/.well-known/workflow/v1/flow` and `/step`), as the published worlds do.
 *
 * - Waits for work with `waitForWork` (SPEC E19), claims up to the free slots (E3), renews each
 *   lease while its delivery runs (E6), completes it (E7), or, when the handler asks for a later
 *   delivery (`timeoutSeconds`), releases it to that time without consuming an attempt (E9); a
 *   failed delivery is retried with backoff and dead-lettered after `maxAttempts` (E8, E12).
 * - One delivery per run at a time, across processes: every message of a run carries the run id
 *   as its concurrency key in a queue with `keyConcurrency: 1` (E20).
 * - `idempotencyKey` is Mooring's (E2): a second message with the key is the first one.
 * - The message id is minted once and kept in the task, so every delivery of it carries the same
 *   id, as the interface asks.
 */
import { hostname } from "node:os";
import type { EngineBackend, Lease } from "@mooring/core";
import { type MessageId, parseQueueName, type Queue, type QueuePayload, type QueuePrefix, type ValidQueueName } from "@workflow/world";
import { type BytesEncoding, decodeValue, encodeValue } from "./codec.js";
import type { WorldStore } from "./store.js";

/** How the dispatcher behaves; every member has a default. */
export interface DispatcherOptions {
  /** Deliveries in flight at once in this process. Default 32. */
  readonly concurrency?: number;
  /** Lease length; a delivery's lease is renewed every third of it. Default 30 s. */
  readonly leaseMs?: number;
  /** Deliveries of one message before it is dead-lettered. Default 20. */
  readonly maxAttempts?: number;
  /** The longest wait for work before claiming again anyway (delayed messages). Default 250 ms. */
  readonly idleWaitMs?: number;
  /**
   * Where the app's handlers are: `<baseUrl>/.well-known/workflow/v1/flow`. Default
   * `MOORING_WORLD_BASE_URL`, else `http://localhost:$PORT` read when a delivery starts.
   */
  readonly baseUrl?: string;
}

/** What a task holds: the message as the HTTP body the app will receive, and its identity. */
interface QueuedMessage {
  readonly queueName: string;
  readonly messageId: string;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

const WORKFLOW_PATH = "/.well-known/workflow/v1/";

export interface MooringQueue extends Queue {
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createQueue(store: WorldStore, options: DispatcherOptions = {}): MooringQueue {
  const engine: EngineBackend = store.backend.engine;
  const concurrency = options.concurrency ?? 32;
  const leaseMs = options.leaseMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 20;
  const idleWaitMs = options.idleWaitMs ?? 250;
  const workerId = `world-${hostname()}-${process.pid}-${store.newId("w")}`;
  const stop = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let loop: Promise<void> | null = null;
  let queuesReady: Promise<void> | null = null;

  /** Mooring queue of a World queue: one per kind (workflow / step) and namespace prefix. */
  const mooringQueue = (prefix: string) => `world:${prefix}`;

  function ensureQueues(prefixes: readonly string[]): Promise<void> {
    queuesReady ??= Promise.all(prefixes.map((prefix) => engine.setQueue(mooringQueue(prefix), { keyConcurrency: 1 }))).then(() => undefined);
    return queuesReady;
  }

  const queue: Queue["queue"] = async (queueName, message, opts) => {
    const { prefix, kind } = parseQueueName(queueName);
    await ensureQueues(knownPrefixes(prefix));
    const messageId = store.newId("msg") as MessageId;
    const payload: QueuedMessage = {
      queueName,
      messageId,
      body: serializeBody(message),
      ...(opts?.headers ? { headers: opts.headers } : {}),
    };
    // Step messages (a world that still sends them) may run beside their run's flow deliveries.
    const runId = kind === "workflow" ? runIdOf(message) : undefined;
    const delayMs = opts?.delaySeconds && opts.delaySeconds > 0 ? opts.delaySeconds * 1000 : 0;
    const task = await engine.enqueue({
      queue: mooringQueue(prefix),
      payload: encodeValue(payload, "json") ?? null,
      maxAttempts,
      backoff: { baseMs: 500, factor: 2, maxMs: 30_000 },
      ...(delayMs > 0 ? { runAt: Date.now() + delayMs } : {}),
      ...(opts?.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
      ...(runId ? { concurrencyKey: runId } : {}),
    });
    return { messageId: task.created ? messageId : null };
  };

  async function deliver(lease: Lease): Promise<void> {
    const message = decodeValue(lease.payload, "json") as QueuedMessage;
    const renewEvery = Math.max(1, Math.floor(leaseMs / 3));
    let current = lease;
    const renewal = setInterval(() => {
      engine.renew(current, { leaseMs }).then(
        (renewed) => void (current = renewed),
        () => clearInterval(renewal),
      );
    }, renewEvery);
    try {
      const response = await post(message, lease.attempt);
      if (response.ok) {
        const timeoutSeconds = timeoutOf(response.text);
        clearInterval(renewal);
        if (timeoutSeconds !== null) await engine.release(current, { runAt: Date.now() + timeoutSeconds * 1000 });
        else await engine.complete(current);
        return;
      }
      clearInterval(renewal);
      await engine.fail(current, { error: { status: response.status, body: response.text.slice(0, 2_000) } });
    } catch (error) {
      clearInterval(renewal);
      if (stop.signal.aborted) return;
      await engine.fail(current, { error: { message: error instanceof Error ? error.message : String(error) } }).catch(() => undefined);
    }
  }

  async function post(message: QueuedMessage, attempt: number): Promise<{ ok: boolean; status: number; text: string }> {
    const { kind } = parseQueueName(message.queueName as ValidQueueName);
    const url = `${baseUrl()}${WORKFLOW_PATH}${kind === "workflow" ? "flow" : "step"}`;
    const response = await fetch(url, {
      method: "POST",
      headers: {
        ...message.headers,
        "content-type": "application/json",
        "x-vqs-queue-name": message.queueName,
        "x-vqs-message-id": message.messageId,
        "x-vqs-message-attempt": String(attempt),
      },
      body: message.body,
      signal: stop.signal,
    });
    return { ok: response.ok, status: response.status, text: await response.text() };
  }

  function baseUrl(): string {
    const configured = options.baseUrl ?? process.env.MOORING_WORLD_BASE_URL;
    if (configured) return configured.replace(/\/$/, "");
    if (!process.env.PORT) throw new Error("@mooring/world: set MOORING_WORLD_BASE_URL (or PORT) so the dispatcher can reach the app's handlers");
    return `http://localhost:${process.env.PORT}`;
  }

  async function dispatch(queues: string[]): Promise<void> {
    while (!stop.signal.aborted) {
      const free = concurrency - inFlight.size;
      if (free <= 0) {
        await Promise.race(inFlight);
        continue;
      }
      let leases: Lease[];
      try {
        leases = await engine.claim({ workerId, queues, leaseMs, limit: free });
      } catch (error) {
        if (stop.signal.aborted) return;
        console.error("[@mooring/world] claim failed:", error);
        await engine.waitForWork(queues, { timeoutMs: 1_000, signal: stop.signal }).catch(() => undefined);
        continue;
      }
      for (const lease of leases) {
        const delivery: Promise<void> = deliver(lease)
          .catch((error: unknown) => console.error("[@mooring/world] delivery failed:", error))
          .finally(() => inFlight.delete(delivery));
        inFlight.add(delivery);
      }
      if (leases.length === 0) await engine.waitForWork(queues, { timeoutMs: idleWaitMs, signal: stop.signal }).catch(() => undefined);
    }
  }

  return {
    queue,
    createQueueHandler,
    getDeploymentId: async () => "mooring",
    async start() {
      if (loop) return;
      const prefixes = knownPrefixes();
      await ensureQueues(prefixes);
      loop = dispatch(prefixes.map(mooringQueue));
    },
    async close() {
      stop.abort();
      await loop;
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** The workflow and step prefixes of the namespace in force (and `extra`, if another). */
function knownPrefixes(extra?: string): string[] {
  const namespace = process.env.WORKFLOW_QUEUE_NAMESPACE;
  const base = namespace ? [`__${namespace}_wkf_workflow_`, `__${namespace}_wkf_step_`] : ["__wkf_workflow_", "__wkf_step_"];
  return extra && !base.includes(extra) ? [...base, extra] : base;
}

function runIdOf(message: QueuePayload): string | undefined {
  if ("runId" in message && typeof message.runId === "string") return message.runId;
  if ("workflowRunId" in message && typeof message.workflowRunId === "string") return message.workflowRunId;
  return undefined;
}

function timeoutOf(text: string): number | null {
  try {
    const timeoutSeconds = Number((JSON.parse(text) as { timeoutSeconds?: unknown }).timeoutSeconds);
    return Number.isFinite(timeoutSeconds) && timeoutSeconds >= 0 ? timeoutSeconds : null;
  } catch {
    return null;
  }
}

/** The body the app receives: JSON in which byte arrays are tagged (`serializeBody`/`parseBody`). */
function serializeBody(message: unknown): string {
  return JSON.stringify(message, (_key, value: unknown) =>
    value instanceof Uint8Array ? { __type: "Uint8Array", data: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") } : value,
  );
}

function parseBody(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === "object" && (value as { __type?: unknown }).__type === "Uint8Array" && typeof (value as { data?: unknown }).data === "string") {
      return new Uint8Array(Buffer.from((value as { data: string }).data, "base64"));
    }
    return value;
  });
}

/** The app's HTTP handler for one queue prefix: reads a delivery the dispatcher posted. */
const createQueueHandler: Queue["createQueueHandler"] = (prefix: QueuePrefix, handler) => {
  return async (request: Request): Promise<Response> => {
    const queueName = request.headers.get("x-vqs-queue-name");
    const messageId = request.headers.get("x-vqs-message-id");
    const attempt = Number(request.headers.get("x-vqs-message-attempt"));
    if (!queueName || !messageId || !Number.isFinite(attempt)) return Response.json({ error: "Missing required headers" }, { status: 400 });
    if (!queueName.startsWith(prefix)) return Response.json({ error: "Unhandled queue" }, { status: 400 });
    const body = parseBody(await request.text());
    try {
      const result = await handler(body, { attempt, queueName: queueName as ValidQueueName, messageId: messageId as MessageId });
      if (typeof result?.timeoutSeconds === "number") return Response.json({ timeoutSeconds: result.timeoutSeconds });
      return Response.json({ ok: true });
    } catch (error) {
      return Response.json(String(error), { status: 500 });
    }
  };
};

export type { BytesEncoding };

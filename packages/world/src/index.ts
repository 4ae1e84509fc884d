/**
 * `@mooring/world`: a Vercel Workflow DevKit "World" (the `@workflow/world` interface, version 5:
 * runs, steps, events, hooks, queue, streams) on any Mooring backend, through Mooring's public API
 * only. It is also the example an engine adapter author reads: see docs/decisions.md,
 * "@mooring/world".
 *
 * The DevKit loads it by name (`WORKFLOW_TARGET_WORLD=@mooring/world`) and calls `createWorld()`,
 * which opens the backend of `MOORING_WORLD_URL` (default: an embedded SQLite file
 * `.mooring-world.db`). In code, `createMooringWorld({ url })` or `createMooringWorld({ backend })`.
 */
import { type Backend, type CapabilityName, MooringError, openBackend } from "@mooring/core";
import { reenqueueActiveRuns, SPEC_VERSION_CURRENT, type World } from "@workflow/world";
import type { BytesEncoding } from "./codec.js";
import { createQueue, type DispatcherOptions } from "./queue.js";
import { createStorage } from "./storage.js";
import { createWorldStore } from "./store.js";
import { createStreamer } from "./streams.js";

export type { BytesEncoding } from "./codec.js";
export type { DispatcherOptions } from "./queue.js";

/** The capabilities the World cannot do without, with what each is for. */
export const REQUIRED_CAPABILITIES: Readonly<Partial<Record<CapabilityName, string>>> = Object.freeze({
  runs: "runs hold each workflow run",
  events: "the event log is the World's source of truth",
  commit: "each events.create is one atomic commit (W11)",
  runEvents: "run_created with its first event (W12), newest-first listings (W14), event ids and hook-token keys (W15), live stream tails (W16)",
  leases: "the queue's deliveries are leases",
  delays: "delayed and re-scheduled deliveries",
  idempotency: "queue idempotency keys (E2)",
  deadLetter: "deliveries that keep failing are dead-lettered",
  notifications: "the dispatcher waits for work (E19)",
  queueControl: "the workflow queue's key limit",
  concurrencyKeys: "one delivery per run at a time across processes (E20)",
  tenancy: "streams live in a tenant view of their own",
});

export interface MooringWorldOptions extends DispatcherOptions {
  /** How byte arrays are stored: `"auto"` (default) native where the backend declares `binary`, else base64 in JSON. */
  readonly bytes?: "auto" | BytesEncoding;
}

/** A World on a Mooring backend, plus what it chose. */
export interface MooringWorld extends World {
  readonly backend: Backend;
  /** `"native"` when bytes are stored as bytes (W13), `"json"` for the base64 fallback. */
  readonly bytes: BytesEncoding;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The capabilities `backend` lacks for the World, each with what it is needed for (empty when none). */
export function missingCapabilities(backend: Pick<Backend, "capabilities">): { capability: CapabilityName; neededFor: string }[] {
  return Object.entries(REQUIRED_CAPABILITIES)
    .filter(([name]) => backend.capabilities[name as CapabilityName] !== true)
    .map(([name, neededFor]) => ({ capability: name as CapabilityName, neededFor: neededFor ?? "" }));
}

/**
 * A World on `backend` (which the World closes with itself when it opened it from `url`).
 * @throws MooringError UNSUPPORTED naming every capability the backend does not declare.
 */
export async function createMooringWorld(target: ({ readonly backend: Backend } | { readonly url: string }) & MooringWorldOptions): Promise<MooringWorld> {
  const owned = "url" in target;
  const backend = "backend" in target ? target.backend : await openBackend(target.url);
  const missing = missingCapabilities(backend);
  if (missing.length > 0) {
    if (owned) await backend.close();
    throw new MooringError("UNSUPPORTED", `@mooring/world needs capabilities the ${backend.name} backend does not declare: ${missing.map((m) => `${m.capability} (${m.neededFor})`).join("; ")}`, {
      backend: backend.name,
      operation: "createMooringWorld",
      details: { capabilities: missing.map((m) => m.capability) },
    });
  }
  const requested = target.bytes ?? "auto";
  const bytes: BytesEncoding = requested === "auto" ? (backend.capabilities.binary === true ? "native" : "json") : requested;
  if (bytes === "native" && backend.capabilities.binary !== true) {
    throw new MooringError("UNSUPPORTED", `the ${backend.name} backend does not declare binary (W13): use bytes "json" or "auto"`, {
      backend: backend.name,
      operation: "createMooringWorld",
      details: { capability: "binary" },
    });
  }
  const store = createWorldStore(backend, bytes);
  const storage = createStorage(store);
  const queue = createQueue(store, target);
  const streams = createStreamer(store);
  let closed = false;
  return {
    specVersion: SPEC_VERSION_CURRENT,
    backend,
    bytes,
    ...storage,
    queue: queue.queue,
    createQueueHandler: queue.createQueueHandler,
    getDeploymentId: queue.getDeploymentId,
    streams,
    async start() {
      await queue.start();
      await reenqueueActiveRuns(storage.runs, queue.queue, "@mooring/world");
    },
    async close() {
      if (closed) return;
      closed = true;
      streams.stopReaders();
      await queue.close();
      if (owned) await backend.close();
    },
  };
}

/** The default backend URL: an embedded SQLite file in the working directory. */
export const DEFAULT_WORLD_URL = "sqlite:./.mooring-world.db";

/** The DevKit's entry point: a World on `MOORING_WORLD_URL` (default `DEFAULT_WORLD_URL`). */
export function createWorld(): Promise<MooringWorld> {
  return createMooringWorld({ url: process.env.MOORING_WORLD_URL ?? DEFAULT_WORLD_URL });
}

export default createWorld;

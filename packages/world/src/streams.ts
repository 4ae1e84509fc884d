/**
 * The World's `Streamer`: named per-run byte streams on Mooring runs.
 *
 * Each stream is a Mooring run of its own whose events are the chunks (type `chunk`, the bytes as
 * payload: W13, or base64 inside JSON where the backend does not declare `binary`) and, once
 * closed, one `close` event; chunk i is at sequence i + 1. A reader tails it live: it reads what
 * is there and then waits on `waitForEvents` (W16), which the store wakes when the log grows.
 * A run's stream names are the event ids (W15) of an index run, so naming a stream twice appends
 * nothing. Stream runs live in a tenant view of their own (T1), so they never appear among the
 * World's runs.
 */
import { createHash } from "node:crypto";
import { type Backend, type EventRecord, MooringError } from "@mooring/core";
import type { Streamer, StreamChunksResponse, StreamInfoResponse } from "@workflow/world";
import { decodeValue, encodeValue } from "./codec.js";
import { STREAM_WORKFLOW, type WorldStore } from "./store.js";

const CHUNK = "chunk";
const CLOSE = "close";
/** How long a live reader waits on W16 before it looks again (the hint may be lost; reads are the truth). */
const TAIL_WAIT_MS = 5_000;
const READ_BATCH = 100;

/** The tenant that holds the streams of the World's tenant `tenantId`. */
export function streamsTenant(tenantId: string): string {
  return `${tenantId}~world-streams`;
}

function runIdFor(kind: "s" | "i", parts: string[]): string {
  const id = `${kind}:${parts.join("\u0001")}`;
  if (Buffer.byteLength(id) <= 200) return id;
  return `${kind}#sha256:${createHash("sha256").update(id).digest("hex")}`;
}

export function createStreamer(store: WorldStore): Streamer["streams"] & { stopReaders(): void } {
  const backend: Backend = store.backend.forTenant(streamsTenant(store.backend.tenantId));
  const workflows = backend.workflows;
  const known = new Set<string>();
  const readers = new AbortController();

  async function ensureStream(runId: string, name: string): Promise<string> {
    const id = runIdFor("s", [runId, name]);
    if (known.has(id)) return id;
    await workflows.createRun({ id, workflowId: STREAM_WORKFLOW, version: "1", context: { runId, name } });
    const index = runIdFor("i", [runId]);
    await workflows.createRun({ id: index, workflowId: STREAM_WORKFLOW, version: "1", context: { runId } });
    try {
      await workflows.appendEvents(index, [{ type: "stream", id: name, payload: name }]);
    } catch (error) {
      // The name is in the index already (W15: an id the run has is CONFLICT and writes nothing).
      if (!MooringError.is(error, "CONFLICT")) throw error;
    }
    known.add(id);
    return id;
  }

  const toBytes = (chunk: string | Uint8Array): Uint8Array => (typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  const chunkOf = (record: EventRecord): Uint8Array => decodeValue(record.payload, store.bytes) as Uint8Array;

  /** The stream's last chunk index (-1 when empty) and whether it is closed. */
  async function info(id: string): Promise<StreamInfoResponse> {
    const [last] = await workflows.readEvents(id, { order: "desc", limit: 1 });
    if (!last) return { tailIndex: -1, done: false };
    return last.type === CLOSE ? { tailIndex: last.sequence - 2, done: true } : { tailIndex: last.sequence - 1, done: false };
  }

  return {
    async write(runId, name, chunk) {
      const id = await ensureStream(runId, name);
      await workflows.appendEvents(id, [{ type: CHUNK, payload: encodeValue(toBytes(chunk), store.bytes) ?? null }]);
    },
    async writeMulti(runId, name, chunks) {
      if (chunks.length === 0) return;
      const id = await ensureStream(runId, name);
      await workflows.appendEvents(id, chunks.map((chunk) => ({ type: CHUNK, payload: encodeValue(toBytes(chunk), store.bytes) ?? null })));
    },
    async close(runId, name) {
      const id = await ensureStream(runId, name);
      await workflows.appendEvents(id, [{ type: CLOSE }]);
    },
    async get(runId, name, startIndex = 0) {
      const id = runIdFor("s", [runId, name]);
      let after = startIndex;
      if (startIndex < 0) after = Math.max(0, (await info(id)).tailIndex + 1 + startIndex);
      const abort = new AbortController();
      const onClose = () => abort.abort();
      readers.signal.addEventListener("abort", onClose, { once: true });
      const end = () => readers.signal.removeEventListener("abort", onClose);
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          while (!abort.signal.aborted) {
            const records = await workflows.readEvents(id, { after, limit: READ_BATCH });
            if (records.length > 0) {
              for (const record of records) {
                after = record.sequence;
                if (record.type === CLOSE) {
                  end();
                  controller.close();
                  return;
                }
                controller.enqueue(chunkOf(record));
              }
              return;
            }
            await workflows.waitForEvents(id, { after, timeoutMs: TAIL_WAIT_MS, signal: abort.signal });
          }
          end();
          controller.close();
        },
        cancel() {
          abort.abort();
          end();
        },
      });
    },
    async list(runId) {
      const events = await workflows.readEvents(runIdFor("i", [runId]));
      return events.map((event) => event.id ?? String(event.payload));
    },
    async getChunks(runId, name, options): Promise<StreamChunksResponse> {
      const id = runIdFor("s", [runId, name]);
      const limit = Math.max(1, Math.min(1_000, options?.limit ?? 100));
      const after = options?.cursor ? Number(options.cursor) : 0;
      const records = await workflows.readEvents(id, { after: Number.isSafeInteger(after) && after >= 0 ? after : 0, limit: limit + 1 });
      const page = records.slice(0, limit).filter((record) => record.type === CHUNK);
      const closed = records.some((record) => record.type === CLOSE) || (await info(id)).done;
      const last = page.at(-1);
      return {
        data: page.map((record) => ({ index: record.sequence - 1, data: chunkOf(record) })),
        cursor: last ? String(last.sequence) : null,
        hasMore: records.filter((record) => record.type === CHUNK).length > limit,
        done: closed,
      };
    },
    async getInfo(runId, name) {
      return info(runIdFor("s", [runId, name]));
    },
    stopReaders() {
      readers.abort();
    },
  };
}

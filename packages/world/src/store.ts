/**
 * What every part of the World shares: the Mooring backend, the bytes encoding it allows, id
 * generation, the layout of World events in the Mooring log and the names of run keys (W15).
 */
import { createHash } from "node:crypto";
import type { Backend, EventInput, EventRecord, Value } from "@mooring/core";
import { EventSchema, type Event, type ResolveData, stripEventDataRefs } from "@workflow/world";
import { monotonicFactory } from "ulid";
import { type BytesEncoding, decodeValue, encodeValue } from "./codec.js";
import { createRecent, eventKey, type Recent } from "./recent.js";

/** The Mooring workflow id of runs that hold a World stream's chunks (in the streams tenant). */
export const STREAM_WORKFLOW = "@mooring/world:stream";

export interface WorldStore {
  readonly backend: Backend;
  readonly bytes: BytesEncoding;
  /** `<prefix>_<ulid>`, monotonic within the process. */
  newId(prefix: string): string;
  /** Events and runs this process read or wrote lately (`recent.ts`). */
  readonly recent: Recent;
}

export function createWorldStore(backend: Backend, bytes: BytesEncoding): WorldStore {
  const ulid = monotonicFactory();
  return { backend, bytes, newId: (prefix) => `${prefix}_${ulid()}`, recent: createRecent() };
}

/** The event `eventId` of `runId` (SPEC W15), from the events this process holds or the store. */
export async function readEvent(store: WorldStore, runId: string, eventId: string): Promise<EventRecord | null> {
  const key = eventKey(runId, eventId);
  const held = store.recent.events.get(key);
  if (held) return held;
  const record = await store.backend.workflows.getEvent(runId, eventId);
  if (record) store.recent.events.set(key, record);
  return record;
}

/** The members of a World event the Mooring event keeps besides its type and id. */
interface StoredEvent {
  readonly correlationId?: string;
  readonly eventData?: unknown;
  readonly specVersion?: number;
}

/** A World event as a Mooring event: type = eventType, id = eventId (W15), the rest in the payload. */
export function toEventInput(store: WorldStore, eventId: string, eventType: string, stored: StoredEvent): EventInput {
  const payload = encodeValue(stored, store.bytes) ?? {};
  return { id: eventId, type: eventType, payload };
}

/** The World event a Mooring event holds, through the interface's own schema. */
export function toWorldEvent(store: WorldStore, record: EventRecord, resolveData: ResolveData = "all"): Event {
  const stored = (decodeValue(record.payload, store.bytes) ?? {}) as StoredEvent;
  const event = EventSchema.parse({
    runId: record.runId,
    eventId: record.id,
    eventType: record.type,
    correlationId: stored.correlationId,
    eventData: stored.eventData,
    specVersion: stored.specVersion,
    createdAt: new Date(record.createdAt),
  });
  return stripEventDataRefs(event, resolveData);
}

/** One member of a stored event's `eventData` (a payload the entities refer to), or undefined. */
export async function readEventData(store: WorldStore, runId: string, eventId: string | undefined, member: string): Promise<unknown> {
  if (eventId === undefined) return undefined;
  const record = await readEvent(store, runId, eventId);
  if (!record) return undefined;
  const stored = decodeValue(record.payload as Value, store.bytes) as StoredEvent;
  const data = stored.eventData as Record<string, unknown> | undefined;
  return data?.[member];
}

/**
 * Run keys (SPEC W15) name what must be unique in the tenant. A name longer than fits is hashed,
 * so any token or id fits the 255-byte key limit (C1).
 */
export function runKey(kind: "hook-token" | "correlation", name: string): string {
  const key = `${kind}:${name}`;
  if (Buffer.byteLength(key) <= 200) return key;
  return `${kind}#sha256:${createHash("sha256").update(name).digest("hex")}`;
}

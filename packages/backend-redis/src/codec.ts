/**
 * Decoding of script replies into the contract's records. Replies are arrays of bulk strings
 * (JSON texts stored as the client wrote them, numbers as decimal text) and integers; a reply of
 * the wrong shape is a bug or a foreign key in our prefix, reported as UNAVAILABLE by core.
 * Replies that may hold a value with bytes (SPEC W13) are read as Buffers (`runBuffer`, the
 * `*Buffer` commands): `asString` reads a Buffer as UTF-8, `decodeValue` reads its bytes.
 */
import {
  decodeStoredValue,
  encodeStoredValue,
  type Json,
  type Lease,
  type Progress,
  type RunRecord,
  type RunStatus,
  type Signal,
  type StepRecord,
  type StepStatus,
  type TaskRecord,
  type TaskState,
  type Value,
  type ValueObject,
} from "@mooring/core";
import { MooringError } from "@mooring/core";
import { decodeId } from "./keys.js";

export class ReplyShapeError extends Error {
  override readonly name = "ReplyShapeError";
}

export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new ReplyShapeError(`${what}: expected an array reply`);
  return value;
}

export function asString(value: unknown, what: string): string {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (typeof value === "number") return String(value);
  throw new ReplyShapeError(`${what}: expected a string reply`);
}

export function asNullableString(value: unknown, what: string): string | null {
  return value === null || value === undefined ? null : asString(value, what);
}

export function asNumber(value: unknown, what: string): number {
  const number = typeof value === "number" ? value : Number(asString(value, what));
  if (!Number.isFinite(number)) throw new ReplyShapeError(`${what}: expected a number reply`);
  return number;
}

export function asNullableNumber(value: unknown, what: string): number | null {
  return value === null || value === undefined ? null : asNumber(value, what);
}

export function parseJson(text: string): Json {
  return JSON.parse(text) as Json;
}

/**
 * The first byte of a stored value that holds bytes (SPEC W13; docs/decisions.md). A value without
 * bytes is its JSON text, as stored before W13, and JSON text never starts with a control byte.
 */
const BYTES_TAG = 0x00;
const NESTED_TAG = 0x01;
/** Ends the JSON head of an event body whose payload holds bytes; JSON text never holds a NUL byte. */
const HEAD_END = 0x00;

/**
 * A value as a Redis string, in core's stored form: JSON text without bytes; with bytes, a tag
 * byte and then the raw bytes (a byte array) or the JSON text of the nested form.
 */
export function encodeValue(value: Value | undefined): string | Buffer {
  const stored = encodeStoredValue(value);
  if (stored.kind === null) return JSON.stringify(stored.json);
  if (stored.bytes !== null) return Buffer.concat([Buffer.of(BYTES_TAG), stored.bytes]);
  return Buffer.concat([Buffer.of(NESTED_TAG), Buffer.from(JSON.stringify(stored.json), "utf8")]);
}

/** The value of a stored string read as a Buffer (a string reply is JSON text: it had no bytes). */
export function decodeValue(stored: unknown, what: string): Value {
  if (!Buffer.isBuffer(stored)) return parseJson(asString(stored, what));
  if (stored[0] === BYTES_TAG) return decodeStoredValue("bytes", null, stored.subarray(1));
  if (stored[0] === NESTED_TAG) return decodeStoredValue("nested", parseJson(stored.toString("utf8", 1)), null);
  return parseJson(stored.toString("utf8"));
}

/**
 * An event body: `[type, payload]` or `[type, payload, id]` as JSON, as before W13; when the
 * payload holds bytes, the head `[type, null]` or `[type, null, id]`, a NUL byte, and the payload
 * as `encodeValue` stores it.
 */
export function encodeEventBody(type: string, payload: Value | undefined, id: string | undefined): string | Buffer {
  const value = encodeValue(payload);
  if (typeof value === "string") return `[${JSON.stringify(type)},${value}${id === undefined ? "" : `,${JSON.stringify(id)}`}]`;
  const head = JSON.stringify(id === undefined ? [type, null] : [type, null, id]);
  return Buffer.concat([Buffer.from(head, "utf8"), Buffer.of(HEAD_END), value]);
}

/** The type, payload and id of an event body (`encodeEventBody`). */
export function decodeEventBody(body: Buffer): { type: string; payload: Value; id: string | undefined } {
  const end = body.indexOf(HEAD_END);
  const [type, payload, id] = JSON.parse(body.toString("utf8", 0, end < 0 ? body.length : end)) as [string, Json, string?];
  return { type, payload: end < 0 ? payload : decodeValue(body.subarray(end + 1), "event.payload"), id };
}

/** Splits a stored `<head>|<rest>` read as a Buffer at its first bar: the head as text, the rest as bytes. */
export function splitFirstBar(stored: unknown, what: string): [string, Buffer] {
  const bytes = Buffer.isBuffer(stored) ? stored : Buffer.from(asString(stored, what), "utf8");
  const bar = bytes.indexOf(0x7c);
  if (bar < 0) throw new ReplyShapeError(`${what}: expected a "|" separator`);
  return [bytes.toString("utf8", 0, bar), bytes.subarray(bar + 1)];
}

/** Splits `text` at its first `count` bars: the last part is the rest (it may hold bars). */
export function splitBars(text: string, count: number): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const bar = text.indexOf("|", start);
    if (bar < 0) throw new ReplyShapeError(`expected ${count} "|" separators`);
    parts.push(text.slice(start, bar));
    start = bar + 1;
  }
  parts.push(text.slice(start));
  return parts;
}

/** A signal as scripts store it: `signalId|createdAt|keyB64|payload`. */
export function decodeSignal(entry: unknown): Signal {
  const [signalId = "", createdAt = "", key = "", payload = "null"] = splitBars(asString(entry, "signal"), 3);
  return { signalId, key: decodeId(key), payload: parseJson(payload), createdAt: Number(createdAt) };
}

/** A lease as `tasks.lease_of` returns it (renew). */
export function decodeLease(reply: unknown): Lease {
  const f = asArray(reply, "lease");
  const resumed = asString(f[8], "lease.resumed");
  const lease: Lease = {
    taskId: asString(f[0], "lease.id"),
    queue: asString(f[1], "lease.queue"),
    payload: decodeValue(f[2], "lease.payload"),
    attempt: asNumber(f[3], "lease.attempt"),
    epoch: asNumber(f[4], "lease.epoch"),
    leaseId: asString(f[5], "lease.leaseId"),
    workerId: asString(f[6], "lease.workerId"),
    expiresAt: asNumber(f[7], "lease.expiresAt"),
  };
  if (resumed === "") return lease;
  const signals = asArray(f[9] ?? [], "lease.signals").map(decodeSignal);
  return resumed === "2" ? { ...lease, signals, timedOut: true } : { ...lease, signals };
}

/**
 * The leases of a claim reply: `{ expiresAt, lease… }`, each lease `{ tid, qe, payload, attempt,
 * epoch, leaseId, resumed, signals?, ke? }` (lua/claim.lua). The script leaves out what the client knows: the task
 * id is the decoded tid, the queue the claimed queue whose encoding is qe, the worker the caller's.
 */
export function decodeClaim(reply: unknown, workerId: string, queueOf: ReadonlyMap<string, string>): Lease[] {
  const rows = asArray(reply, "claim");
  if (rows.length <= 1) return [];
  const expiresAt = asNumber(rows[0], "claim.expiresAt");
  const leases: Lease[] = [];
  for (let i = 1; i < rows.length; i++) {
    const f = asArray(rows[i], "lease");
    const qe = asString(f[1], "lease.qe");
    const queue = queueOf.get(qe);
    if (queue === undefined) throw new ReplyShapeError("lease: a queue the claim did not name");
    const lease: Lease = {
      taskId: decodeId(asString(f[0], "lease.tid")),
      queue,
      payload: decodeValue(f[2], "lease.payload"),
      attempt: asNumber(f[3], "lease.attempt"),
      epoch: asNumber(f[4], "lease.epoch"),
      leaseId: asString(f[5], "lease.leaseId"),
      workerId,
      expiresAt,
    };
    const resumed = asString(f[6], "lease.resumed");
    const keyed = f[8] === undefined ? lease : { ...lease, concurrencyKey: decodeId(asString(f[8], "lease.ke")) };
    if (resumed === "") {
      leases.push(keyed);
    } else {
      const signals = asArray(f[7] ?? [], "lease.signals").map(decodeSignal);
      leases.push(resumed === "2" ? { ...keyed, signals, timedOut: true } : { ...keyed, signals });
    }
  }
  return leases;
}

/** A task record in `tasks.RECORD_FIELDS` order; `concurrencyKey` only when the task has one (SPEC E20). */
export function decodeTask(reply: unknown): TaskRecord {
  const f = asArray(reply, "task");
  const progress = asNullableString(f[13], "task.progress");
  const key = asNullableString(f[20], "task.concurrencyKey");
  const replays = asNullableNumber(f[21], "task.replays");
  return {
    id: asString(f[0], "task.id"),
    queue: asString(f[1], "task.queue"),
    state: asString(f[2], "task.state") as TaskState,
    payload: decodeValue(f[3], "task.payload"),
    attempt: asNumber(f[4], "task.attempt"),
    maxAttempts: asNumber(f[5], "task.maxAttempts"),
    epoch: asNumber(f[6], "task.epoch"),
    priority: asNumber(f[7], "task.priority"),
    runAt: asNumber(f[8], "task.runAt"),
    leaseExpiresAt: asNullableNumber(f[9], "task.leaseExpiresAt"),
    workerId: asNullableString(f[10], "task.workerId"),
    lastError: parseJson(asString(f[11], "task.lastError")),
    result: decodeValue(f[12], "task.result"),
    progress: progress === null ? null : (JSON.parse(progress) as Progress),
    pendingDependencies: asArray(f[14], "task.pendingDependencies").map((id) => asString(id, "task.pendingDependencies")),
    cancelReason: asNullableString(f[15], "task.cancelReason"),
    runId: asNullableString(f[16], "task.runId"),
    idempotencyKey: asNullableString(f[17], "task.idempotencyKey"),
    ...(key === null ? {} : { concurrencyKey: decodeId(key) }),
    ...(replays === null || replays === 0 ? {} : { replays }),
    createdAt: asNumber(f[18], "task.createdAt"),
    updatedAt: asNumber(f[19], "task.updatedAt"),
  };
}

/** A run record in `runs.RUN_FIELDS` order. */
export function decodeRun(reply: unknown): RunRecord {
  const f = asArray(reply, "run");
  return {
    id: asString(f[0], "run.id"),
    workflowId: asString(f[1], "run.workflowId"),
    version: asString(f[2], "run.version"),
    status: asString(f[3], "run.status") as RunStatus,
    input: parseJson(asString(f[4], "run.input")),
    context: decodeValue(f[5], "run.context") as ValueObject,
    createdAt: asNumber(f[6], "run.createdAt"),
    updatedAt: asNumber(f[7], "run.updatedAt"),
    completedAt: asNullableNumber(f[8], "run.completedAt"),
  };
}

/** The body of a step as the client writes it: `[status, name, input, output, error]`. */
export function encodeStepBody(step: {
  readonly status: StepStatus;
  readonly name?: string;
  readonly input?: Json;
  readonly output?: Json;
  readonly error?: Json;
}): string {
  return JSON.stringify([step.status, step.name ?? null, step.input ?? null, step.output ?? null, step.error ?? null]);
}

/** A stored step: `<position>|<createdAt>|<updatedAt>|<body>`. */
export function decodeStep(runId: string, id: string, stored: unknown): StepRecord {
  const [position = "0", createdAt = "0", updatedAt = "0", body = "[]"] = splitBars(asString(stored, "step"), 3);
  const [status, name, input, output, error] = JSON.parse(body) as [StepStatus, string | null, Json, Json, Json];
  return {
    runId,
    id,
    status,
    name,
    input,
    output,
    error,
    position: Number(position),
    createdAt: Number(createdAt),
    updatedAt: Number(updatedAt),
  };
}

/** Opaque cursors (SPEC C5): base64url of a tagged position, checked when read back. */
export function encodeCursor(kind: string, position: string): string {
  return Buffer.from(`${kind}:${position}`, "utf8").toString("base64url");
}

/**
 * The position in `cursor`, null for the first page. `numeric` positions must be decimal digits.
 * @throws VALIDATION for a cursor this kind of list did not return
 */
export function decodeCursor(cursor: string | null | undefined, kind: string, numeric: boolean): string | null {
  if (cursor === undefined || cursor === null) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const position = text.slice(kind.length + 1);
  if (!text.startsWith(`${kind}:`) || (numeric && !/^\d{1,16}$/.test(position))) throw invalidCursor();
  return position;
}

/** The VALIDATION of a cursor that the list it is given to did not return (forged or foreign). */
export function invalidCursor(): MooringError {
  return new MooringError("VALIDATION", "request.cursor is not a cursor this list returned", { details: { field: "request.cursor" } });
}

/**
 * WorkflowStore on Redis (SPEC W1–W16): one script per mutation (lua/*.lua), plain reads by key.
 * Definitions, runs, steps, event logs, event ids, snapshots and claimed keys live under the
 * tenant's base key, so every script stays in the tenant's Cluster slot; see
 * lua/includes/runs.lua for the keys. Log readers wait on the tenant's pub/sub channel (W16).
 */
import {
  type AppendOptions,
  canonicalJson,
  type ClaimKeyInput,
  type CommitInput,
  type CommitResult,
  contextNotArrayDetails,
  type CreateRunInput,
  type CreateRunOptions,
  type CreateRunResult,
  type DefinitionInput,
  type DefinitionRecord,
  type EventInput,
  type EventRecord,
  type FailResult,
  type KeyHolder,
  type ListRunsRequest,
  MooringError,
  newId,
  notFoundDetails,
  type Page,
  type PutDefinitionResult,
  type ReadEventsOptions,
  type RunRecord,
  type RunStatus,
  type SnapshotInput,
  type SnapshotRecord,
  type StepInput,
  type StepRecord,
  type WaitForEventsOptions,
  type WorkflowStore,
  type Value,
  type ValueObject,
} from "@mooring/core";
import {
  asArray,
  asNullableString,
  asNumber,
  asString,
  decodeCursor,
  decodeEventBody,
  decodeRun,
  decodeStep,
  decodeValue,
  encodeCursor,
  encodeEventBody,
  encodeStepBody,
  encodeValue,
  parseJson,
  splitBars,
  splitFirstBar,
} from "./codec.js";
import type { RedisContext } from "./context.js";
import type { ScriptArg } from "./statements.js";
import { decodeId, encodeId } from "./keys.js";

const RUN_FIELDS = ["id", "wf", "ver", "st", "in", "ctx", "ca", "ua", "cp"] as const;

/** The script arguments of a batch: pairs of body (`encodeEventBody`) and caller id ('' = none). */
function eventArgs(events: readonly EventInput[]): ScriptArg[] {
  return events.flatMap((event) => [encodeEventBody(event.type, event.payload, event.id), event.id ?? ""]);
}

/** The script arguments of W15's claims: the count, then triples of key, value JSON, untilTerminal. */
function claimArgs(claims: readonly ClaimKeyInput[] | undefined): (string | number)[] {
  return [claims?.length ?? 0, ...(claims ?? []).flatMap((claim) => [claim.key, JSON.stringify(claim.value ?? null), claim.untilTerminal === true ? "1" : "0"])];
}

/** A stored event, `<createdAt>|<body>`, read as a Buffer. */
function decodeEvent(runId: string, sequence: number, stored: unknown): EventRecord {
  const [createdAt, body] = splitFirstBar(stored, "event");
  const { type, payload, id } = decodeEventBody(body);
  const event: EventRecord = { runId, sequence, type, payload, createdAt: Number(createdAt) };
  return id === undefined ? event : { ...event, id };
}

function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

export class RedisWorkflowStore implements WorkflowStore {
  readonly #ctx: RedisContext;
  readonly #base: string;

  constructor(ctx: RedisContext, base: string) {
    this.#ctx = ctx;
    this.#base = base;
  }

  #key(part: string, runId: string): string {
    return `${this.#base}:${part}:${encodeId(runId)}`;
  }

  async putDefinition(definition: DefinitionInput): Promise<PutDefinitionResult> {
    const reply = asArray(
      await this.#ctx.run("put-definition", this.#base, [
        this.#ctx.now(),
        encodeId(definition.id),
        encodeId(definition.version),
        definition.version,
        canonicalJson(definition.spec),
        JSON.stringify(definition.spec),
      ]),
      "put-definition",
    );
    return {
      definition: {
        id: definition.id,
        version: definition.version,
        spec: parseJson(asString(reply[1], "definition.spec")),
        createdAt: asNumber(reply[2], "definition.createdAt"),
      },
      created: asNumber(reply[0], "definition.created") === 1,
    };
  }

  async getDefinition(id: string, version: string): Promise<DefinitionRecord | null> {
    const [spec, createdAt] = await this.#ctx.track(this.#ctx.client.hmget(`${this.#base}:def:${encodeId(id)}:${encodeId(version)}`, "spec", "ca"));
    if (spec === null || spec === undefined) return null;
    return { id, version, spec: parseJson(spec), createdAt: asNumber(createdAt, "definition.createdAt") };
  }

  async listDefinitions(id: string): Promise<DefinitionRecord[]> {
    const reply = asArray(await this.#ctx.run("list-definitions", this.#base, [encodeId(id)]), "list-definitions");
    const definitions: DefinitionRecord[] = [];
    for (let i = 0; i + 2 < reply.length; i += 3) {
      definitions.push({
        id,
        version: asString(reply[i], "definition.version"),
        spec: parseJson(asString(reply[i + 1], "definition.spec")),
        createdAt: asNumber(reply[i + 2], "definition.createdAt"),
      });
    }
    return definitions;
  }

  async createRun(input: CreateRunInput, options?: CreateRunOptions): Promise<CreateRunResult> {
    const id = input.id ?? newId(this.#ctx.localNow());
    const reply = asArray(
      await this.#ctx.runBuffer("create-run", this.#base, [
        this.#ctx.now(),
        encodeId(id),
        id,
        input.workflowId,
        input.version,
        JSON.stringify(input.input ?? null),
        encodeValue(input.context ?? {}),
        options?.ifExists ?? "return",
        options?.events?.length ?? 0,
        ...eventArgs(options?.events ?? []),
        ...claimArgs(options?.claimKeys),
      ]),
      "create-run",
    );
    const created = asNumber(reply[0], "created") === 1;
    const result: CreateRunResult = { run: decodeRun(reply[1]), created };
    if (options?.events === undefined) return result;
    return { ...result, sequences: created ? range(1, options.events.length) : [] };
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const fields = await this.#ctx.track(this.#ctx.client.hmgetBuffer(this.#key("run", id), ...RUN_FIELDS));
    return fields[0] === null ? null : decodeRun(fields);
  }

  async setRunStatus(id: string, status: RunStatus, options?: { readonly expected?: RunStatus }): Promise<RunRecord> {
    return decodeRun(await this.#ctx.runBuffer("set-run-status", this.#base, [this.#ctx.now(), encodeId(id), status, options?.expected ?? ""]));
  }

  async setContext(id: string, context: ValueObject): Promise<RunRecord> {
    const reply = asArray(await this.#ctx.runBuffer("set-context", this.#base, [this.#ctx.now(), encodeId(id), encodeValue(context), ""]), "set-context");
    return decodeRun(reply[1]);
  }

  /**
   * Optimistic read-append-write: the context is read with its version, the value appended here,
   * and the script writes only if the version is unchanged, else the append starts over. Every
   * round makes progress for someone, and no append is lost (SPEC W4).
   */
  async appendToContext(id: string, key: string, value: Value): Promise<RunRecord> {
    const runKey = this.#key("run", id);
    for (;;) {
      const [stored, version] = await this.#ctx.track(this.#ctx.client.hmgetBuffer(runKey, "ctx", "cv"));
      if (stored === null || stored === undefined || version === null || version === undefined) {
        throw new MooringError("NOT_FOUND", "run not found", { details: notFoundDetails("run", id) });
      }
      const context = decodeValue(stored, "run.context") as ValueObject;
      const current = Object.hasOwn(context, key) ? context[key] : undefined;
      if (current !== undefined && !Array.isArray(current)) {
        throw new MooringError("INVALID_STATE", `context member ${JSON.stringify(key)} is not an array`, { details: contextNotArrayDetails(id, key) });
      }
      const next: ValueObject = { ...context, [key]: [...(current ?? []), value] };
      const reply = asArray(
        await this.#ctx.runBuffer("set-context", this.#base, [this.#ctx.now(), encodeId(id), encodeValue(next), version.toString("utf8")]),
        "set-context",
      );
      if (asNumber(reply[0], "set-context") === 1) return decodeRun(reply[1]);
    }
  }

  /** W5, W14: a cursor names its order's list ("runs" or "runs-desc"), so the other order refuses it. */
  async listRuns(request: ListRunsRequest): Promise<Page<RunRecord>> {
    const kind = request.order === "desc" ? "runs-desc" : "runs";
    const position = decodeCursor(request.cursor, kind, true) ?? "";
    const reply = asArray(
      await this.#ctx.runBuffer("list-runs", this.#base, [request.status ?? "", request.limit, position, request.order ?? "asc", request.workflowId ?? ""]),
      "list-runs",
    );
    const next = asNullableString(reply[0], "cursor");
    return { items: reply.slice(1).map(decodeRun), cursor: next === null ? null : encodeCursor(kind, next) };
  }

  async deleteRun(id: string): Promise<boolean> {
    return asNumber(await this.#ctx.run("delete-run", this.#base, [encodeId(id)]), "delete-run") === 1;
  }

  async upsertStep(runId: string, step: StepInput): Promise<StepRecord> {
    const stored = await this.#ctx.run("upsert-step", this.#base, [this.#ctx.now(), encodeId(runId), step.id, encodeStepBody(step)]);
    return decodeStep(runId, step.id, stored);
  }

  async getStep(runId: string, stepId: string): Promise<StepRecord | null> {
    const stored = await this.#ctx.track(this.#ctx.client.hget(this.#key("steps", runId), stepId));
    return stored === null ? null : decodeStep(runId, stepId, stored);
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    const reply = asArray(await this.#ctx.run("list-steps", this.#base, [encodeId(runId)]), "list-steps");
    const steps: StepRecord[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) steps.push(decodeStep(runId, asString(reply[i], "step.id"), reply[i + 1]));
    return steps.sort((a, b) => a.position - b.position);
  }

  async appendEvents(runId: string, events: readonly EventInput[], options?: AppendOptions): Promise<number[]> {
    const expected = options?.expectedSequence;
    const first = asNumber(
      await this.#ctx.run("append-events", this.#base, [
        this.#ctx.now(),
        encodeId(runId),
        expected === undefined ? "" : String(expected),
        ...eventArgs(events),
      ]),
      "append-events",
    );
    return range(first, first + events.length - 1);
  }

  /**
   * W9, W14: one LRANGE of the list positions between `after` and `before` (event n is at n − 1),
   * the first `limit` of either end; events never change, so a plain read is exact.
   */
  async readEvents(runId: string, options?: ReadEventsOptions): Promise<EventRecord[]> {
    const after = options?.after ?? 0;
    // The list position of sequence before − 1, the last one wanted; null: the list's end.
    const last = options?.before === undefined ? null : options.before - 2;
    if (last !== null && last < after) return [];
    const limit = options?.limit;
    let start = after;
    let stop = last ?? -1;
    if (limit !== undefined && options?.order !== "desc") stop = last === null ? after + limit - 1 : Math.min(last, after + limit - 1);
    if (limit !== undefined && options?.order === "desc") {
      const lastPosition = (await this.latestSequence(runId)) - 1;
      stop = last === null ? lastPosition : Math.min(last, lastPosition);
      start = Math.max(after, stop - limit + 1);
      if (stop < start) return [];
    }
    const stored = await this.#ctx.track(this.#ctx.client.lrangeBuffer(this.#key("ev", runId), start, stop));
    const events = stored.map((entry, index) => decodeEvent(runId, start + 1 + index, entry));
    return options?.order === "desc" ? events.reverse() : events;
  }

  async getEvent(runId: string, eventId: string): Promise<EventRecord | null> {
    const reply = await this.#ctx.runBuffer("get-event", this.#base, [encodeId(runId), eventId]);
    if (reply === null) return null;
    const [sequence, stored] = asArray(reply, "get-event");
    return decodeEvent(runId, asNumber(sequence, "event.sequence"), stored);
  }

  async lookupKey(key: string): Promise<KeyHolder | null> {
    const held = await this.#ctx.track(this.#ctx.client.hget(`${this.#base}:rk`, key));
    if (held === null) return null;
    const [re = "", , value = "null"] = splitBars(held, 2);
    return { runId: decodeId(re), value: parseJson(value) };
  }

  /**
   * W16: woken by the 'log <re>' line the appending script publishes on the tenant's channel
   * after its writes (`RedisContext.wait`).
   */
  async waitForEvents(runId: string, options: WaitForEventsOptions): Promise<boolean> {
    const wanted = `log ${encodeId(runId)}`;
    return this.#ctx.wait(`${this.#base}:ch`, {
      matches: (line) => line === wanted,
      look: async () => (await this.latestSequence(runId)) > options.after,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
  }

  async latestSequence(runId: string): Promise<number> {
    return this.#ctx.track(this.#ctx.client.llen(this.#key("ev", runId)));
  }

  async writeSnapshot(runId: string, snapshot: SnapshotInput): Promise<SnapshotRecord> {
    const state = JSON.stringify(snapshot.state);
    const createdAt = asNumber(
      await this.#ctx.run("write-snapshot", this.#base, [this.#ctx.now(), encodeId(runId), snapshot.atSequence, state]),
      "write-snapshot",
    );
    // A copy: the record must not change when the caller later mutates its state object.
    return { runId, atSequence: snapshot.atSequence, state: parseJson(state), createdAt };
  }

  async latestSnapshot(runId: string): Promise<SnapshotRecord | null> {
    const reply = await this.#ctx.run("latest-snapshot", this.#base, [encodeId(runId)]);
    if (reply === null) return null;
    const [atSequence, stored] = asArray(reply, "latest-snapshot");
    const [createdAt = "0", state = "null"] = splitBars(asString(stored, "snapshot"), 1);
    return { runId, atSequence: asNumber(atSequence, "snapshot.atSequence"), state: parseJson(state), createdAt: Number(createdAt) };
  }

  async commit(runId: string, input: CommitInput): Promise<CommitResult> {
    const events = input.events ?? [];
    const steps = input.steps ?? [];
    const settle = input.settle;
    const settleKind = settle === undefined ? "" : "complete" in settle ? "complete" : "fail";
    const settleValue = settle === undefined ? "null" : "complete" in settle ? encodeValue(settle.complete.result) : JSON.stringify(settle.fail.error);
    const retryable = settle !== undefined && "fail" in settle && settle.fail.retryable === false ? "0" : "1";
    const args: ScriptArg[] = [
      this.#ctx.now(),
      encodeId(runId),
      input.lease ? encodeId(input.lease.taskId) : "",
      input.lease ? String(input.lease.epoch) : "0",
      input.lease ? input.lease.leaseId : "",
      input.expectedSequence === undefined ? "" : String(input.expectedSequence),
      input.status ?? "",
      input.context === undefined ? "0" : "1",
      input.context === undefined ? "" : encodeValue(input.context),
      input.snapshot === undefined ? "0" : "1",
      input.snapshot?.atSequence === undefined ? "" : String(input.snapshot.atSequence),
      input.snapshot === undefined ? "" : JSON.stringify(input.snapshot.state),
      settleKind,
      settleValue,
      retryable,
      events.length,
      ...eventArgs(events),
      steps.length,
    ];
    for (const step of steps) args.push(step.id, encodeStepBody(step));
    args.push(...claimArgs(input.claimKeys), input.releaseKeys?.length ?? 0, ...(input.releaseKeys ?? []));
    const reply = asArray(await this.#ctx.runBuffer("commit", this.#base, args), "commit");
    const first = asNumber(reply[0], "commit.first");
    const latestSequence = asNumber(reply[1], "commit.latest");
    const outcome = asString(reply[3], "commit.outcome");
    const failure: FailResult | undefined =
      outcome === "retry" ? { outcome: "retry", runAt: asNumber(reply[4], "commit.runAt") } : outcome === "dead" ? { outcome: "dead" } : undefined;
    return {
      sequences: first === 0 ? [] : range(first, latestSequence),
      latestSequence,
      run: decodeRun(reply[2]),
      ...(failure === undefined ? {} : { failure }),
    };
  }
}

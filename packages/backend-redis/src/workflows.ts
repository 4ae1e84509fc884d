/**
 * WorkflowStore on Redis (SPEC W1–W11): one script per mutation (lua/*.lua), plain reads by key.
 * Definitions, runs, steps, event logs and snapshots live under the tenant's base key; see
 * lua/includes/runs.lua for the keys.
 */
import {
  type AppendOptions,
  canonicalJson,
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
  type Json,
  type JsonObject,
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
  type WorkflowStore,
} from "@mooring/core";
import {
  asArray,
  asNullableString,
  asNumber,
  asString,
  decodeCursor,
  decodeRun,
  decodeStep,
  encodeCursor,
  encodeStepBody,
  parseJson,
  splitBars,
} from "./codec.js";
import type { RedisContext } from "./context.js";
import { encodeId } from "./keys.js";

const RUN_FIELDS = ["id", "wf", "ver", "st", "in", "ctx", "ca", "ua", "cp"] as const;

function eventBody(event: EventInput): string {
  return JSON.stringify([event.type, event.payload ?? null]);
}

function decodeEvent(runId: string, sequence: number, stored: unknown): EventRecord {
  const [createdAt = "0", body = "[]"] = splitBars(asString(stored, "event"), 1);
  const [type, payload] = JSON.parse(body) as [string, Json];
  return { runId, sequence, type, payload, createdAt: Number(createdAt) };
}

function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

export class RedisWorkflowStore implements Omit<WorkflowStore, "getEvent" | "lookupKey" | "waitForEvents"> {
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
      await this.#ctx.run("create-run", this.#base, [
        this.#ctx.now(),
        encodeId(id),
        id,
        input.workflowId,
        input.version,
        JSON.stringify(input.input ?? null),
        JSON.stringify(input.context ?? {}),
        options?.ifExists ?? "return",
      ]),
      "create-run",
    );
    return { run: decodeRun(reply[1]), created: asNumber(reply[0], "created") === 1 };
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const fields = await this.#ctx.track(this.#ctx.client.hmget(this.#key("run", id), ...RUN_FIELDS));
    return fields[0] === null ? null : decodeRun(fields);
  }

  async setRunStatus(id: string, status: RunStatus, options?: { readonly expected?: RunStatus }): Promise<RunRecord> {
    return decodeRun(await this.#ctx.run("set-run-status", this.#base, [this.#ctx.now(), encodeId(id), status, options?.expected ?? ""]));
  }

  async setContext(id: string, context: JsonObject): Promise<RunRecord> {
    const reply = asArray(await this.#ctx.run("set-context", this.#base, [this.#ctx.now(), encodeId(id), JSON.stringify(context), ""]), "set-context");
    return decodeRun(reply[1]);
  }

  /**
   * Optimistic read-append-write: the context is read with its version, the value appended here,
   * and the script writes only if the version is unchanged, else the append starts over. Every
   * round makes progress for someone, and no append is lost (SPEC W4).
   */
  async appendToContext(id: string, key: string, value: Json): Promise<RunRecord> {
    const runKey = this.#key("run", id);
    for (;;) {
      const [stored, version] = await this.#ctx.track(this.#ctx.client.hmget(runKey, "ctx", "cv"));
      if (stored === null || stored === undefined || version === null || version === undefined) {
        throw new MooringError("NOT_FOUND", "run not found", { details: notFoundDetails("run", id) });
      }
      const context = JSON.parse(stored) as JsonObject;
      const current = Object.hasOwn(context, key) ? context[key] : undefined;
      if (current !== undefined && !Array.isArray(current)) {
        throw new MooringError("INVALID_STATE", `context member ${JSON.stringify(key)} is not an array`, { details: contextNotArrayDetails(id, key) });
      }
      const next: JsonObject = { ...context, [key]: [...(current ?? []), value] };
      const reply = asArray(
        await this.#ctx.run("set-context", this.#base, [this.#ctx.now(), encodeId(id), JSON.stringify(next), version]),
        "set-context",
      );
      if (asNumber(reply[0], "set-context") === 1) return decodeRun(reply[1]);
    }
  }

  async listRuns(request: ListRunsRequest): Promise<Page<RunRecord>> {
    const after = decodeCursor(request.cursor, "runs", true) ?? "0";
    const reply = asArray(
      await this.#ctx.run("list-runs", this.#base, [request.status ?? "", request.limit, after]),
      "list-runs",
    );
    const next = asNullableString(reply[0], "cursor");
    return { items: reply.slice(1).map(decodeRun), cursor: next === null ? null : encodeCursor("runs", next) };
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
        ...events.map(eventBody),
      ]),
      "append-events",
    );
    return range(first, first + events.length - 1);
  }

  async readEvents(runId: string, options?: ReadEventsOptions): Promise<EventRecord[]> {
    const after = options?.after ?? 0;
    const stop = options?.limit === undefined ? -1 : after + options.limit - 1;
    const stored = await this.#ctx.track(this.#ctx.client.lrange(this.#key("ev", runId), after, stop));
    return stored.map((entry, index) => decodeEvent(runId, after + 1 + index, entry));
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
    const settleValue =
      settle === undefined ? "null" : "complete" in settle ? JSON.stringify(settle.complete.result ?? null) : JSON.stringify(settle.fail.error);
    const retryable = settle !== undefined && "fail" in settle && settle.fail.retryable === false ? "0" : "1";
    const args: (string | number)[] = [
      this.#ctx.now(),
      encodeId(runId),
      input.lease ? encodeId(input.lease.taskId) : "",
      input.lease ? String(input.lease.epoch) : "0",
      input.lease ? input.lease.leaseId : "",
      input.expectedSequence === undefined ? "" : String(input.expectedSequence),
      input.status ?? "",
      input.context === undefined ? "0" : "1",
      input.context === undefined ? "" : JSON.stringify(input.context),
      input.snapshot === undefined ? "0" : "1",
      input.snapshot?.atSequence === undefined ? "" : String(input.snapshot.atSequence),
      input.snapshot === undefined ? "" : JSON.stringify(input.snapshot.state),
      settleKind,
      settleValue,
      retryable,
      events.length,
      ...events.map(eventBody),
      steps.length,
    ];
    for (const step of steps) args.push(step.id, encodeStepBody(step));
    const reply = asArray(await this.#ctx.run("commit", this.#base, args), "commit");
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

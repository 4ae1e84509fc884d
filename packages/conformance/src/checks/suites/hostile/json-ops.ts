/** Hostile input: every public method that stores JSON, as an operation of the JSON property. */
import { type CapabilityName, type Json, type JsonObject } from "@mooring/core";
import { brief, ensure, sameData } from "../../support/index.js";
import { attempt } from "./attempt.js";
import { type Env, freshLease, type HostileFacet } from "./fixtures.js";
import { eventPayloadVerdict, isValidJson, verdict } from "./oracle.js";

// ---------------------------------------------------------------------------------------------
// JSON through every method that stores JSON

interface JsonOp {
  readonly name: string;
  readonly facet: HostileFacet;
  readonly requires: readonly CapabilityName[];
  run(env: Env, value: unknown, key: string): Promise<void>;
}

/** A generated value typed as JSON: invalid ones are passed on purpose, the oracle judges them. */
const json = (value: unknown): Json => value as Json;

export const jsonOps: readonly JsonOp[] = [
  {
    name: "putDefinition spec",
    facet: "workflows",
    requires: ["runs"],
    async run(env, value) {
      const id = `def-${env.leaseCount++}`;
      await attempt(env, {
        what: `putDefinition({ spec: ${brief(value)} })`,
        verdict: verdict(isValidJson(value)),
        probes: [id],
        call: () => env.view.workflows.putDefinition({ id, version: "1", spec: json(value) }),
        verify: async () => sameData((await env.view.workflows.getDefinition(id, "1"))?.spec, value, "getDefinition's spec"),
      });
    },
  },
  {
    name: "createRun input and context",
    facet: "workflows",
    requires: ["runs"],
    async run(env, value, key) {
      const id = `json-run-${env.leaseCount++}`;
      const context = Object.fromEntries([[key, value]]);
      await attempt(env, {
        what: `createRun({ input: ${brief(value)}, context: ${brief(context)} })`,
        verdict: verdict(isValidJson(value) && isValidJson(context)),
        probes: [id],
        call: () => env.view.workflows.createRun({ id, workflowId: "wf", version: "1", input: json(value), context: context as JsonObject }),
        verify: async () => {
          env.runIds.add(id);
          const run = await env.view.workflows.getRun(id);
          sameData(run && [run.input, run.context], [value, context], "the run's input and context");
        },
      });
    },
  },
  {
    name: "setContext / appendToContext",
    facet: "workflows",
    requires: ["runs"],
    async run(env, value, key) {
      if (!env.runIds.has(env.runId)) return;
      const context = Object.fromEntries([[key, value]]);
      await attempt(env, {
        what: `setContext(${brief(context)})`,
        verdict: verdict(isValidJson(context)),
        call: () => env.view.workflows.setContext(env.runId, context as JsonObject),
        verify: async () => sameData((await env.view.workflows.getRun(env.runId))?.context, context, "the context read back"),
      });
      await attempt(env, {
        what: `appendToContext("log", ${brief(value)})`,
        verdict: verdict(isValidJson(value)),
        allowed: ["INVALID_STATE"],
        call: () => env.view.workflows.appendToContext(env.runId, "log", json(value)),
        verify: async () => {
          const log = (await env.view.workflows.getRun(env.runId))?.context.log;
          ensure(Array.isArray(log), `context.log is not an array after appendToContext: ${brief(log)}`);
          sameData(log.at(-1), value, "the appended value read back");
        },
      });
    },
  },
  {
    name: "upsertStep, appendEvents, writeSnapshot, commit",
    facet: "workflows",
    requires: ["runs", "events", "snapshots", "commit"],
    async run(env, value) {
      const { workflows } = env.view;
      if (!env.runIds.has(env.runId)) return;
      await attempt(env, {
        what: `upsertStep({ input, output, error: ${brief(value)} })`,
        verdict: verdict(isValidJson(value)),
        call: () => workflows.upsertStep(env.runId, { id: "json-step", status: "failed", input: json(value), output: json(value), error: json(value) }),
        verify: async () => {
          const step = await workflows.getStep(env.runId, "json-step");
          sameData(step && [step.input, step.output, step.error], [value, value, value], "the step's JSON read back");
        },
      });
      const latest = await workflows.latestSequence(env.runId);
      await attempt(env, {
        what: `appendEvents([{ payload: ${brief(value)} }])`,
        verdict: eventPayloadVerdict(value),
        call: () => workflows.appendEvents(env.runId, [{ type: "json", payload: json(value) }]),
        verify: async () => sameData((await workflows.readEvents(env.runId, { after: latest }))[0]?.payload, value, "the event's payload read back"),
      });
      const atSequence = await workflows.latestSequence(env.runId);
      await attempt(env, {
        what: `writeSnapshot({ state: ${brief(value)} })`,
        verdict: verdict(isValidJson(value)),
        call: () => workflows.writeSnapshot(env.runId, { atSequence, state: json(value) }),
        verify: async () => sameData((await workflows.latestSnapshot(env.runId))?.state, value, "the snapshot's state read back"),
      });
      await attempt(env, {
        what: `commit({ events: [{ payload }], snapshot: { state }, steps: [{ output }] } of ${brief(value)})`,
        verdict: eventPayloadVerdict(value),
        call: () => workflows.commit(env.runId, { events: [{ type: "json", payload: json(value) }], snapshot: { state: json(value) }, steps: [{ id: "commit-step", status: "completed", output: json(value) }] }),
        verify: async (result) => {
          const [sequence] = result.sequences;
          const event = (await workflows.readEvents(env.runId, { after: (sequence ?? 1) - 1 }))[0];
          sameData([event?.payload, (await workflows.latestSnapshot(env.runId))?.state, (await workflows.getStep(env.runId, "commit-step"))?.output], [value, value, value], "what commit wrote, read back");
        },
      });
    },
  },
  {
    name: "saveSnapshot state",
    facet: "state",
    requires: ["kv"],
    async run(env, value) {
      const executionId = `json-exec-${env.leaseCount++}`;
      await attempt(env, {
        what: `saveSnapshot({ state: ${brief(value)} })`,
        verdict: verdict(isValidJson(value)),
        probes: [executionId],
        call: () => env.view.state.saveSnapshot({ executionId, sequence: 1, state: json(value) }),
        verify: async () => sameData((await env.view.state.loadSnapshot(executionId))?.state, value, "the cached state read back"),
      });
    },
  },
  {
    name: "enqueue payload, signal payload, complete result",
    facet: "engine",
    // The signal payload where `signals` is declared.
    requires: ["leases"],
    async run(env, value) {
      const { engine } = env.view;
      const queue = `json-queue-${env.leaseCount++}`;
      const enqueued = await attempt(env, {
        what: `enqueue({ payload: ${brief(value)} })`,
        verdict: verdict(isValidJson(value)),
        probes: [queue],
        call: () => engine.enqueue({ queue, payload: json(value) }),
        verify: async ({ id }) => {
          env.taskIds.push(id);
          sameData((await engine.getTask(id))?.payload, value, "the task's payload read back");
        },
      });
      if (enqueued) {
        const [lease] = await engine.claim({ workerId: "json", queues: [queue], leaseMs: 60_000 });
        ensure(lease !== undefined, "claim of the enqueued task granted nothing");
        sameData(lease.payload, value, "the lease's payload");
        const key = `json-signal-${env.leaseCount++}`;
        if (env.declared("signals")) {
          await attempt(env, {
            what: `signal({ payload: ${brief(value)} })`,
            verdict: verdict(isValidJson(value)),
            call: () => engine.signal({ key, payload: json(value) }),
            verify: async () => {
              const result = await engine.suspend(lease, { keys: [key] });
              ensure(!result.suspended, "suspend after a buffered signal parked the task");
              sameData(result.signals[0]?.payload, value, "the buffered signal's payload");
            },
          });
        }
        await attempt(env, {
          what: `complete({ result: ${brief(value)} })`,
          verdict: verdict(isValidJson(value)),
          call: () => engine.complete(lease, { result: json(value) }),
          verify: async () => sameData((await engine.getTask(lease.taskId))?.result, value, "the task's result read back"),
        });
      }
    },
  },
  {
    name: "fail error, moveToDeadLetter error, appendFrame data",
    facet: "engine",
    requires: ["leases", "deadLetter", "streams"],
    async run(env, value) {
      const { engine } = env.view;
      const framed = await freshLease(env);
      await attempt(env, {
        what: `appendFrame(${brief(value)})`,
        verdict: verdict(isValidJson(value)),
        call: () => engine.appendFrame(framed, json(value)),
        verify: async (sequence) => sameData((await engine.readFrames(framed.taskId)).find((frame) => frame.sequence === sequence)?.data, value, "the frame read back"),
      });
      await attempt(env, {
        what: `fail({ error: ${brief(value)} })`,
        verdict: verdict(isValidJson(value)),
        call: () => engine.fail(framed, { error: json(value), retryable: false }),
        verify: async () => sameData((await engine.getTask(framed.taskId))?.lastError, value, "the task's lastError read back"),
      });
      const moved = await freshLease(env);
      await attempt(env, {
        what: `moveToDeadLetter(${brief(value)})`,
        verdict: verdict(isValidJson(value)),
        call: () => engine.moveToDeadLetter(moved, json(value)),
        verify: async () => sameData((await engine.getTask(moved.taskId))?.lastError, value, "the dead task's lastError read back"),
      });
    },
  },
];


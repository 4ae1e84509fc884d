/** Hostile input: every public method that takes a string, as an operation of the string property. */
import { isDeepStrictEqual } from "node:util";
import { type CapabilityName, executionKey, type JsonObject, MooringError } from "@mooring/core";
import { brief, ensure, isSameData, sameData } from "../../support/index.js";
import { attempt } from "./attempt.js";
import { type Env, bytesOf, forgedCursors, freshLease, type HostileFacet } from "./fixtures.js";
import { isCleanText, isCursorText, isValidId, isValidText, verdict } from "./oracle.js";

// ---------------------------------------------------------------------------------------------
// Strings through every method

interface StringOp {
  readonly name: string;
  readonly facet: HostileFacet;
  readonly requires: readonly CapabilityName[];
  run(env: Env, a: string, b: string): Promise<void>;
}

export const stringOps: readonly StringOp[] = [
  // WorkflowStore
  {
    name: "workflows.putDefinition / getDefinition / listDefinitions",
    facet: "workflows",
    requires: ["runs"],
    async run(env, a, b) {
      const { workflows } = env.view;
      await attempt(env, {
        what: `putDefinition({ id: ${brief(a)}, version: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        probes: [a, b],
        call: () => workflows.putDefinition({ id: a, version: b, spec: { [b]: a } }),
        verify: async (result) => {
          sameData([result.definition.id, result.definition.version, result.definition.spec], [a, b, { [b]: a }], "putDefinition's record");
          sameData((await workflows.getDefinition(a, b))?.spec, { [b]: a }, "getDefinition after putDefinition");
          ensure((await workflows.listDefinitions(a)).some((d) => d.version === b), `listDefinitions(${brief(a)}) lacks version ${brief(b)}`);
        },
      });
      await attempt(env, {
        what: `getDefinition(${brief(b)}, ${brief(a)})`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        call: () => workflows.getDefinition(b, a),
        verify: (definition) => ensure(definition === null || (definition.id === b && definition.version === a), `getDefinition returned another definition: ${brief(definition)}`),
      });
    },
  },
  {
    name: "workflows.createRun / getRun / listRuns",
    facet: "workflows",
    requires: ["runs"],
    async run(env, a, b) {
      const { workflows } = env.view;
      const existed = env.runIds.has(a);
      await attempt(env, {
        what: `createRun({ id: ${brief(a)}, workflowId: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        probes: [a, b],
        call: () => workflows.createRun({ id: a, workflowId: b, version: b, input: { [b]: a }, context: { [a]: [b] } }),
        verify: async ({ run, created }) => {
          env.runIds.add(a);
          sameData(created, !existed, "createRun's created");
          sameData(run.id, a, "createRun's run id");
          if (!created) return;
          sameData([run.workflowId, run.version, run.input, run.context, run.status], [b, b, { [b]: a }, { [a]: [b] }, "pending"], "the run as created");
          sameData(await workflows.getRun(a), run, "getRun after createRun");
          ensure((await workflows.listRuns({ limit: 1000 })).items.some((item) => item.id === a), `listRuns lacks run ${brief(a)}`);
        },
      });
    },
  },
  {
    name: "workflows reads of a named run",
    facet: "workflows",
    requires: ["runs", "events"],
    async run(env, a, b) {
      const { workflows } = env.view;
      const known = env.runIds.has(a);
      const valid = verdict(isValidId(a));
      await attempt(env, { what: `getRun(${brief(a)})`, verdict: valid, call: () => workflows.getRun(a), verify: (run) => sameData(run?.id ?? null, known ? a : null, "getRun's id") });
      await attempt(env, { what: `latestSequence(${brief(a)})`, verdict: valid, call: () => workflows.latestSequence(a), verify: (n) => ensure(known || n === 0, `latestSequence of an unknown run is ${n}`) });
      await attempt(env, { what: `readEvents(${brief(a)})`, verdict: valid, call: () => workflows.readEvents(a), verify: (events) => ensure(known || events.length === 0, `readEvents of an unknown run returned ${brief(events)}`) });
      await attempt(env, { what: `listSteps(${brief(a)})`, verdict: valid, call: () => workflows.listSteps(a), verify: (steps) => ensure(known || steps.length === 0, `listSteps of an unknown run returned ${brief(steps)}`) });
      await attempt(env, {
        what: `getStep(${brief(a)}, ${brief(b)})`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        call: () => workflows.getStep(a, b),
        verify: (step) => ensure(step === null || (step.runId === a && step.id === b), `getStep returned another step: ${brief(step)}`),
      });
    },
  },
  {
    name: "workflows.deleteRun / setRunStatus",
    facet: "workflows",
    requires: ["runs"],
    async run(env, a) {
      const { workflows } = env.view;
      await attempt(env, {
        what: `setRunStatus(${brief(a)}, "running")`,
        verdict: verdict(isValidId(a)),
        allowed: ["NOT_FOUND", "CONFLICT", "INVALID_STATE"],
        probes: [a],
        call: () => workflows.setRunStatus(a, "running"),
        verify: (run) => sameData([run.id, run.status], [a, "running"], "setRunStatus's run"),
      });
      const existed = env.runIds.has(a);
      await attempt(env, {
        what: `deleteRun(${brief(a)})`,
        verdict: verdict(isValidId(a)),
        probes: [a],
        call: () => workflows.deleteRun(a),
        verify: async (deleted) => {
          sameData(deleted, existed, `deleteRun(${brief(a)}) (whether it existed)`);
          env.runIds.delete(a);
          sameData(await workflows.getRun(a), null, "getRun after deleteRun");
          if (a !== env.runId) ensure((await workflows.getRun(env.runId)) !== null, `deleteRun(${brief(a)}) removed the run ${env.runId}`);
        },
      });
    },
  },
  {
    name: "workflows.setContext / appendToContext",
    facet: "workflows",
    requires: ["runs"],
    async run(env, a, b) {
      const { workflows } = env.view;
      if (!env.runIds.has(env.runId)) return;
      const context: JsonObject = Object.fromEntries([
        [a, b],
        [b, [a]],
      ]);
      await attempt(env, {
        what: `setContext(${env.runId}, ${brief(context)})`,
        verdict: verdict(isCleanText(a) && isCleanText(b)),
        call: () => workflows.setContext(env.runId, context),
        verify: async (run) => {
          sameData(run.context, context, "setContext's run context");
          sameData((await workflows.getRun(env.runId))?.context, context, "getRun after setContext");
        },
      });
      await attempt(env, {
        what: `appendToContext(${env.runId}, ${brief(a)}, ${brief(b)})`,
        verdict: verdict(isValidId(a) && isCleanText(b)),
        allowed: ["INVALID_STATE"],
        call: () => workflows.appendToContext(env.runId, a, b),
        verify: async (run) => {
          const member = run.context[a];
          ensure(Array.isArray(member) && isDeepStrictEqual(member.at(-1), b), `appendToContext: context[${brief(a)}] is ${brief(member)}, expected an array ending with ${brief(b)}`);
          sameData((await workflows.getRun(env.runId))?.context, run.context, "getRun after appendToContext");
        },
      });
    },
  },
  {
    name: "workflows.upsertStep / appendEvents / writeSnapshot",
    facet: "workflows",
    requires: ["runs", "events", "snapshots"],
    async run(env, a, b) {
      const { workflows } = env.view;
      if (!env.runIds.has(env.runId)) return;
      await attempt(env, {
        what: `upsertStep(${env.runId}, { id: ${brief(a)}, name: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isValidText(b)),
        call: () => workflows.upsertStep(env.runId, { id: a, status: "running", name: b, output: { [b]: a } }),
        verify: async (step) => {
          sameData([step.runId, step.id, step.name, step.output], [env.runId, a, b, { [b]: a }], "upsertStep's step");
          sameData(await workflows.getStep(env.runId, a), step, "getStep after upsertStep");
        },
      });
      const latest = await workflows.latestSequence(env.runId);
      await attempt(env, {
        what: `appendEvents(${env.runId}, [{ type: ${brief(a)}, payload: ${brief(b)} }])`,
        verdict: verdict(isValidId(a) && isCleanText(b)),
        call: () => workflows.appendEvents(env.runId, [{ type: a, payload: b }, { type: "after", payload: [a, b] }]),
        verify: async (sequences) => {
          sameData(sequences, [latest + 1, latest + 2], "appendEvents' sequences");
          const events = await workflows.readEvents(env.runId, { after: latest });
          sameData(events.map((e) => [e.sequence, e.type, e.payload]), [
            [latest + 1, a, b],
            [latest + 2, "after", [a, b]],
          ], "readEvents after appendEvents");
        },
      });
      await attempt(env, {
        what: `appendEvents to the unknown run ${brief(a)}`,
        verdict: verdict(isValidId(a)),
        allowed: ["NOT_FOUND"],
        probes: [a],
        call: () => workflows.appendEvents(a, [{ type: "x" }]),
        verify: () => ensure(env.runIds.has(a), `appendEvents to the unknown run ${brief(a)} succeeded`),
      });
      const atSequence = await workflows.latestSequence(env.runId);
      const state = Object.fromEntries([[a, b]]);
      await attempt(env, {
        what: `writeSnapshot(${env.runId}, { state: ${brief(state)} })`,
        verdict: verdict(isCleanText(a) && isCleanText(b)),
        call: () => workflows.writeSnapshot(env.runId, { atSequence, state }),
        verify: async () => sameData((await workflows.latestSnapshot(env.runId))?.state, state, "latestSnapshot after writeSnapshot"),
      });
    },
  },
  {
    name: "workflows.commit",
    facet: "workflows",
    requires: ["runs", "events", "commit"],
    async run(env, a, b) {
      const { workflows } = env.view;
      if (!env.runIds.has(env.runId)) return;
      const latest = await workflows.latestSequence(env.runId);
      const context = Object.fromEntries([[b, a]]);
      await attempt(env, {
        what: `commit(${env.runId}, { events: [{ type: ${brief(a)} }], context: ${brief(context)}, steps: [{ id: ${brief(a)} }] })`,
        verdict: verdict(isValidId(a) && isCleanText(b)),
        call: () => workflows.commit(env.runId, { events: [{ type: a, payload: b }], context, steps: [{ id: a, status: "completed", output: b }] }),
        verify: async (result) => {
          sameData(result.sequences, [latest + 1], "commit's sequences");
          sameData((await workflows.getRun(env.runId))?.context, context, "the run's context after commit");
          sameData((await workflows.readEvents(env.runId, { after: latest })).map((e) => [e.type, e.payload]), [[a, b]], "the event commit wrote");
          sameData((await workflows.getStep(env.runId, a))?.output, b, "the step commit wrote");
        },
      });
    },
  },
  {
    name: "workflows.listRuns with forged cursors",
    facet: "workflows",
    requires: ["runs"],
    async run(env, a) {
      for (const cursor of forgedCursors(a)) {
        // A cursor no list returned is invalid input a backend may or may not recognise: it may
        // answer VALIDATION, or a page, but only of the tenant's own items.
        await attempt(env, {
          what: `listRuns with the cursor ${brief(cursor)}`,
          verdict: isCursorText(cursor) ? "either" : "invalid",
          call: () => env.view.workflows.listRuns({ limit: 5, cursor }),
          verify: (page) => ensure(page.items.every((run) => env.runIds.has(run.id)), `listRuns with a forged cursor returned runs of no one's: ${brief(page.items.map((run) => run.id))}`),
        });
      }
    },
  },

  // StateStore
  {
    name: "state.listSnapshots with forged cursors",
    facet: "state",
    requires: ["kv"],
    async run(env, a) {
      for (const cursor of forgedCursors(a)) {
        // As listRuns above: VALIDATION, or a page of the tenant's own items only.
        await attempt(env, {
          what: `listSnapshots with the cursor ${brief(cursor)}`,
          verdict: isCursorText(cursor) ? "either" : "invalid",
          call: () => env.view.state.listSnapshots({ limit: 5, cursor }),
          verify: async (page) => {
            const own = new Set((await env.view.state.listSnapshots({ limit: 1000 })).items);
            ensure(page.items.every((id) => own.has(id)), `listSnapshots with a forged cursor returned ids of no one's: ${brief(page.items)}`);
          },
        });
      }
    },
  },
  {
    name: "state.set / get / exists / delete",
    facet: "state",
    requires: ["kv"],
    async run(env, a, b) {
      const { state } = env.view;
      const value = bytesOf(b);
      await attempt(env, {
        what: `set(${brief(a)})`,
        verdict: verdict(isValidId(a)),
        probes: [a],
        call: () => state.set(a, value),
        verify: async () => {
          env.keys.add(a);
          sameData(await state.get(a), value, `get(${brief(a)}) after set`);
          sameData(await state.exists(a), true, `exists(${brief(a)}) after set`);
          if (a !== env.key) sameData(await state.get(env.key), new Uint8Array([1, 2, 3]), `the neighbouring key after set(${brief(a)})`);
        },
      });
      const known = env.keys.has(b);
      await attempt(env, { what: `get(${brief(b)})`, verdict: verdict(isValidId(b)), call: () => state.get(b), verify: (got) => ensure(known || got === null, `get of a key never set returned ${brief(got)}`) });
      await attempt(env, { what: `exists(${brief(b)})`, verdict: verdict(isValidId(b)), call: () => state.exists(b), verify: (found) => sameData(found, known, `exists(${brief(b)})`) });
      await attempt(env, {
        what: `delete(${brief(b)})`,
        verdict: verdict(isValidId(b)),
        probes: [b],
        call: () => state.delete(b),
        verify: async (deleted) => {
          sameData(deleted, known, `delete(${brief(b)}) (whether it existed)`);
          env.keys.delete(b);
          sameData(await state.get(b), null, `get(${brief(b)}) after delete`);
        },
      });
    },
  },
  {
    name: "state.setIfAbsent / compareAndSet",
    facet: "state",
    requires: ["kv", "kvCas"],
    async run(env, a, b) {
      const { state } = env.view;
      const first = bytesOf(a);
      const next = bytesOf(b);
      const known = env.keys.has(a);
      await attempt(env, {
        what: `setIfAbsent(${brief(a)})`,
        verdict: verdict(isValidId(a)),
        probes: [a],
        call: () => state.setIfAbsent(a, first),
        verify: async (won) => {
          sameData(won, !known, `setIfAbsent(${brief(a)}) (absent before)`);
          if (won) sameData(await state.get(a), first, `get(${brief(a)}) after setIfAbsent`);
          env.keys.add(a);
        },
      });
      const current = isValidId(a) ? await state.get(a) : first;
      await attempt(env, {
        what: `compareAndSet(${brief(a)})`,
        verdict: verdict(isValidId(a)),
        probes: [a],
        call: () => state.compareAndSet(a, current, next),
        verify: async (swapped) => {
          sameData(swapped, true, `compareAndSet(${brief(a)}) with the current value`);
          sameData(await state.get(a), next, `get(${brief(a)}) after compareAndSet`);
        },
      });
    },
  },
  {
    name: "state snapshots and deleteExecutionState",
    facet: "state",
    requires: ["kv"],
    async run(env, a, b) {
      const { state } = env.view;
      await attempt(env, {
        what: `saveSnapshot({ executionId: ${brief(a)}, state: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isCleanText(b)),
        probes: [a],
        call: () => state.saveSnapshot({ executionId: a, sequence: 7, state: b }),
        verify: async () => {
          const loaded = await state.loadSnapshot(a);
          sameData(loaded && [loaded.executionId, loaded.sequence, loaded.state], [a, 7, b], `loadSnapshot(${brief(a)})`);
          ensure((await state.listSnapshots({ limit: 1000 })).items.includes(a), `listSnapshots lacks ${brief(a)}`);
        },
      });
      let owned: string | null = null;
      try {
        owned = executionKey(a, b);
      } catch (error) {
        ensure(MooringError.is(error, "VALIDATION"), `executionKey(${brief(a)}, ${brief(b)}) threw ${brief(error)}, not VALIDATION`);
      }
      if (owned !== null) {
        await state.set(owned, bytesOf("owned"));
        env.keys.add(owned);
      }
      const ownedKey = owned;
      await attempt(env, {
        what: `deleteExecutionState(${brief(a)})`,
        verdict: verdict(isValidId(a)),
        probes: [a],
        call: () => state.deleteExecutionState(a),
        verify: async (removed) => {
          if (ownedKey !== null) {
            ensure(removed >= 1, `deleteExecutionState(${brief(a)}) removed ${removed} entries, but ${brief(ownedKey)} was there`);
            sameData(await state.get(ownedKey), null, `get(${brief(ownedKey)}) after deleteExecutionState`);
            env.keys.delete(ownedKey);
          }
          sameData(await state.loadSnapshot(a), null, `loadSnapshot(${brief(a)}) after deleteExecutionState`);
          if (a !== env.executionId) {
            sameData(await state.get(env.ownedKey), new Uint8Array([4]), `another execution's key after deleteExecutionState(${brief(a)}) (SPEC S4)`);
            ensure((await state.loadSnapshot(env.executionId)) !== null, `deleteExecutionState(${brief(a)}) removed another execution's snapshot (SPEC S4)`);
          }
        },
      });
    },
  },

  // EngineBackend
  {
    name: "engine.enqueue / claim / complete",
    facet: "engine",
    requires: ["leases", "idempotency"],
    async run(env, a, b) {
      const { engine } = env.view;
      const enqueued = await attempt(env, {
        what: `enqueue({ queue: ${brief(a)}, idempotencyKey: ${brief(a)}, runId: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        probes: [a, b],
        call: () => engine.enqueue({ queue: a, payload: { [a]: b }, idempotencyKey: a, runId: b }),
        verify: async ({ id, created }) => {
          if (!env.taskIds.includes(id)) env.taskIds.push(id);
          const task = await engine.getTask(id);
          // An earlier call of this run may have used the key: then the first task stands (E2).
          if (created) sameData(task && [task.queue, task.payload, task.idempotencyKey, task.runId], [a, { [a]: b }, a, b], "the enqueued task");
          sameData(await engine.enqueue({ queue: a, idempotencyKey: a }), { id, created: false }, "enqueue again with the same key");
        },
      });
      if (!enqueued) return;
      const leases = await attempt(env, {
        what: `claim({ workerId: ${brief(b)}, queues: [${brief(a)}] })`,
        verdict: "valid",
        call: () => engine.claim({ workerId: b, queues: [a], leaseMs: 60_000, limit: 10 }),
        verify: (granted) => {
          ensure(granted.every((lease) => lease.queue === a && lease.workerId === b && env.taskIds.includes(lease.taskId)), `claim returned a lease of another queue or tenant: ${brief(granted)}`);
          const own = granted.find((lease) => lease.taskId === enqueued.id);
          ensure(own === undefined || isSameData(own.payload, { [a]: b }), `the lease's payload differs from the enqueued one: ${brief(own?.payload)}`);
        },
      });
      for (const lease of leases ?? []) {
        await attempt(env, {
          what: `complete(lease of queue ${brief(a)}, { result: ${brief(b)} })`,
          verdict: "valid",
          call: () => engine.complete(lease, { result: b }),
          verify: async () => sameData((await engine.getTask(lease.taskId))?.result, b, "the completed task's result"),
        });
      }
    },
  },
  {
    name: "engine.enqueueMany / claim",
    facet: "engine",
    requires: ["leases", "idempotency"],
    async run(env, a, b) {
      const { engine } = env.view;
      await attempt(env, {
        what: `enqueueMany([{ queue: ${brief(a)} }, { queue: ${brief(b)}, idempotencyKey: ${brief(a)} }])`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        probes: [a, b],
        call: () => engine.enqueueMany([{ queue: a, payload: b }, { queue: b, payload: a, idempotencyKey: a }]),
        verify: async (results) => {
          sameData(results.length, 2, "enqueueMany's result count");
          for (const { id } of results) if (!env.taskIds.includes(id)) env.taskIds.push(id);
          const tasks = await Promise.all(results.map(({ id }) => engine.getTask(id)));
          sameData(tasks.map((task) => task?.queue), [a, b], "the tasks' queues");
        },
      });
      await attempt(env, {
        what: `claim({ workerId: ${brief(a)}, queues: [${brief(a)}, ${brief(b)}] })`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        call: () => engine.claim({ workerId: a, queues: [a, b], leaseMs: 60_000, limit: 10 }),
        verify: (leases) => ensure(leases.every((lease) => (lease.queue === a || lease.queue === b) && env.taskIds.includes(lease.taskId)), `claim returned a lease of another queue or tenant: ${brief(leases)}`),
      });
    },
  },
  {
    name: "engine calls naming an unknown task",
    facet: "engine",
    requires: ["leases", "deadLetter", "streams"],
    async run(env, a) {
      const { engine } = env.view;
      const valid = verdict(isValidId(a));
      const unknown = (what: string) => (value: unknown) => ensure(false, `${what} of the unknown task ${brief(a)} succeeded with ${brief(value)}`);
      await attempt(env, { what: `getTask(${brief(a)})`, verdict: valid, call: () => engine.getTask(a), verify: (task) => sameData(task, null, `getTask(${brief(a)})`) });
      await attempt(env, { what: `cancel(${brief(a)})`, verdict: valid, allowed: ["NOT_FOUND"], call: () => engine.cancel(a), verify: unknown("cancel") });
      await attempt(env, { what: `revokeLease(${brief(a)})`, verdict: valid, allowed: ["NOT_FOUND"], call: () => engine.revokeLease(a), verify: unknown("revokeLease") });
      await attempt(env, { what: `retryDeadLetter(${brief(a)})`, verdict: valid, allowed: ["NOT_FOUND"], call: () => engine.retryDeadLetter(a), verify: unknown("retryDeadLetter") });
      await attempt(env, { what: `readFrames(${brief(a)})`, verdict: valid, call: () => engine.readFrames(a), verify: (frames) => sameData(frames, [], `readFrames(${brief(a)})`) });
      const lease = await freshLease(env);
      await attempt(env, {
        what: `renew of a lease whose taskId is ${brief(a)}`,
        verdict: valid,
        allowed: ["NOT_FOUND"],
        call: () => engine.renew({ ...lease, taskId: a }),
        verify: unknown("renew"),
      });
    },
  },
  {
    name: "engine.cancel with a reason",
    facet: "engine",
    requires: ["leases"],
    async run(env, a) {
      const { engine } = env.view;
      const { id } = await engine.enqueue({ queue: env.queue, payload: "to cancel" });
      env.taskIds.push(id);
      await attempt(env, {
        what: `cancel(task, ${brief(a)})`,
        verdict: verdict(isValidText(a)),
        call: () => engine.cancel(id, a),
        verify: async (cancelled) => {
          sameData(cancelled, true, "cancel of a ready task");
          const task = await engine.getTask(id);
          sameData(task && [task.state, task.cancelReason], ["cancelled", a], "the cancelled task");
        },
      });
    },
  },
  {
    name: "engine.signal / suspend",
    facet: "engine",
    requires: ["leases", "signals"],
    async run(env, a, b) {
      const { engine } = env.view;
      await attempt(env, {
        what: `signal({ key: ${brief(a)}, payload: ${brief(b)}, idempotencyKey: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        call: () => engine.signal({ key: a, payload: b, idempotencyKey: b }),
        verify: async (sent) => {
          // A repeated idempotency key, or a task already waiting on the key, leaves nothing buffered.
          if (sent.duplicate || sent.deliveredTo.length > 0) return;
          const lease = await freshLease(env);
          const result = await engine.suspend(lease, { keys: [a] });
          ensure(!result.suspended, `suspend on ${brief(a)} after a signal on it parked the task; the signal was not buffered under its key`);
          ensure(
            result.signals.some((signal) => signal.signalId === sent.signalId && signal.key === a && signal.payload === b),
            `the buffered signal came back altered: ${brief(result.signals)}`,
          );
        },
      });
      const lease = await freshLease(env);
      await attempt(env, {
        what: `suspend(lease, { keys: [${brief(a)}, ${brief(b)}] })`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        call: () => engine.suspend(lease, { keys: a === b ? [a] : [a, b], mode: "all" }),
        verify: async (result) => {
          if (!result.suspended) return;
          const sent = await engine.signal({ key: a, payload: "wake" });
          ensure(sent.deliveredTo.includes(lease.taskId), `a signal on ${brief(a)} was not delivered to the task suspended on it: ${brief(sent)}`);
        },
      });
    },
  },
  {
    name: "engine.setQueue / queueStats / listDeadLetters",
    facet: "engine",
    requires: ["leases", "queueControl", "deadLetter"],
    async run(env, a) {
      const { engine } = env.view;
      await attempt(env, {
        what: `setQueue(${brief(a)}, { concurrency: 2, paused: true })`,
        verdict: verdict(isValidId(a)),
        probes: [a],
        call: () => engine.setQueue(a, { concurrency: 2, paused: true }),
        verify: async (settings) => {
          sameData(settings, { queue: a, concurrency: 2, paused: true }, "setQueue's settings");
          const stats = await engine.queueStats(a);
          sameData([stats.queue, stats.concurrency, stats.paused], [a, 2, true], `queueStats(${brief(a)}) settings`);
          await engine.setQueue(a, { concurrency: null, paused: false });
        },
      });
      await attempt(env, {
        what: `listDeadLetters({ queue: ${brief(a)} })`,
        verdict: verdict(isValidId(a)),
        call: () => engine.listDeadLetters({ limit: 100, queue: a }),
        verify: (page) => ensure(page.items.every((task) => task.queue === a && env.taskIds.includes(task.id)), `listDeadLetters returned another queue's or tenant's task: ${brief(page.items)}`),
      });
    },
  },
  {
    name: "engine holder calls carrying strings",
    facet: "engine",
    requires: ["leases", "progress", "streams", "deadLetter"],
    async run(env, a, b) {
      const { engine } = env.view;
      const first = await freshLease(env);
      await attempt(env, {
        what: `progress(lease, { message: ${brief(a)} })`,
        verdict: verdict(isValidText(a)),
        call: () => engine.progress(first, { percent: 50, message: a }),
        verify: async () => sameData((await engine.getTask(first.taskId))?.progress, { percent: 50, message: a }, "the task's progress"),
      });
      await attempt(env, {
        what: `appendFrame(lease, { [${brief(a)}]: ${brief(b)} })`,
        verdict: verdict(isCleanText(a) && isCleanText(b)),
        call: () => engine.appendFrame(first, { [a]: b }),
        verify: async (sequence) => sameData((await engine.readFrames(first.taskId)).find((frame) => frame.sequence === sequence)?.data, { [a]: b }, "the frame read back"),
      });
      await attempt(env, {
        what: `fail(lease, { error: ${brief(b)}, retryable: false })`,
        verdict: verdict(isCleanText(b)),
        call: () => engine.fail(first, { error: b, retryable: false }),
        verify: async (result) => {
          sameData(result, { outcome: "dead" }, "fail without retry");
          sameData((await engine.getTask(first.taskId))?.lastError, b, "the dead task's lastError");
        },
      });
      const second = await freshLease(env);
      await attempt(env, {
        what: `moveToDeadLetter(lease, { [${brief(b)}]: ${brief(a)} })`,
        verdict: verdict(isCleanText(a) && isCleanText(b)),
        call: () => engine.moveToDeadLetter(second, { [b]: a }),
        verify: async () => sameData((await engine.getTask(second.taskId))?.lastError, { [b]: a }, "the dead task's lastError"),
      });
    },
  },
  {
    name: "engine.waitForWork / subscribe with hostile queues",
    facet: "engine",
    requires: ["leases", "notifications", "subscriptions"],
    async run(env, a) {
      const { engine } = env.view;
      await attempt(env, { what: `waitForWork([${brief(a)}], { timeoutMs: 1 })`, verdict: verdict(isValidId(a)), call: () => engine.waitForWork([a], { timeoutMs: 1 }) });
      await attempt(env, {
        what: `subscribe({ queues: [${brief(a)}] })`,
        verdict: verdict(isValidId(a)),
        call: () => engine.subscribe({ kinds: ["completed"], queues: [a] }, () => undefined),
        verify: (unsubscribe) => unsubscribe(),
      });
    },
  },

  // Tenants, tokens and views
  {
    name: "tenants.create / get / update",
    facet: "tenants",
    requires: ["tenancy"],
    async run(env, a, b) {
      const { tenants } = env.view;
      const existing = isValidId(a) ? await tenants.get(a) : null;
      await attempt(env, {
        what: `tenants.create({ id: ${brief(a)}, name: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isValidText(b)),
        allowed: ["CONFLICT"],
        tenants: true,
        probes: [a],
        call: () => tenants.create({ id: a, name: b }),
        verify: async (record) => {
          ensure(existing === null, `tenants.create of the existing tenant ${brief(a)} succeeded`);
          sameData([record.id, record.name, record.status], [a, b, "active"], "the created tenant");
          sameData(await tenants.get(a), record, "tenants.get after create");
        },
      });
      await attempt(env, {
        what: `tenants.update(${brief(b)}, { name: ${brief(a)} })`,
        verdict: verdict(isValidId(b) && isValidText(a)),
        allowed: ["NOT_FOUND"],
        tenants: true,
        probes: [b],
        call: () => tenants.update(b, { name: a }),
        verify: async (record) => sameData([record.id, record.name, (await tenants.get(b))?.name], [b, a, a], "the renamed tenant"),
      });
    },
  },
  {
    name: "forTenant",
    facet: "tenants",
    requires: ["tenancy", "kv"],
    async run(env, a) {
      await attempt(env, {
        what: `forTenant(${brief(a)})`,
        verdict: verdict(isValidId(a)),
        call: () => env.view.forTenant(a),
        verify: async (other) => {
          sameData(other.tenantId, a, "the view's tenantId");
          if (other.tenantId === env.view.tenantId) return;
          sameData(await other.state.get(env.key), null, `a key of the tenant seen from the tenant ${brief(a)}`);
        },
      });
    },
  },
  {
    name: "tokens.create / validate / revoke",
    facet: "tokens",
    requires: ["tokens"],
    async run(env, a, b) {
      const { tokens } = env.view;
      await attempt(env, {
        what: `tokens.create({ name: ${brief(a)}, role: ${brief(b)} })`,
        verdict: verdict(isValidText(a, 255) && isValidId(b)),
        call: () => tokens.create({ name: a, role: b }),
        verify: async ({ token, info }) => {
          sameData([info.name, info.role, info.tenantId], [a, b, env.view.tenantId], "the token's info");
          const validated = await tokens.validate(token);
          sameData(validated && [validated.name, validated.role, validated.tenantId], [a, b, env.view.tenantId], "tokens.validate of the new token");
        },
      });
      await attempt(env, {
        what: `tokens.validate(${brief(b)})`,
        verdict: verdict(isValidText(b, 1024)),
        call: () => tokens.validate(b),
        verify: (validated) => sameData(validated, null, `tokens.validate(${brief(b)})`),
      });
      await attempt(env, { what: `tokens.revoke(${brief(a)})`, verdict: verdict(isValidId(a)), call: () => tokens.revoke(a), verify: (revoked) => sameData(revoked, false, `tokens.revoke(${brief(a)})`) });
    },
  },
];


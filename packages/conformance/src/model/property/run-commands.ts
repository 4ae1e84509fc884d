/**
 * Commands over the WorkflowStore (SPEC W1–W10): definitions, runs and their status graph,
 * context, steps, the event log and durable snapshots.
 */
import { RUN_STATUSES, STEP_STATUSES } from "@mooring/core";
import fc from "fast-check";
import { ok } from "../outcome.js";
import { choose, context, json, optional, type Target, target, tenant } from "./arbitraries.js";
import { step, type WorldCommand } from "./step.js";
import { DEFINITION_IDS, sameOutcome, observe, RUN_IDS, type TenantSlot } from "./world.js";

const status = fc.constantFrom(...RUN_STATUSES);
const eventType = fc.constantFrom("started", "step:done", "💡");
const stepId = fc.constantFrom("s1", "s:2", "s 3");

/** Usually a run that exists in the tenant, sometimes any id of the pool (NOT_FOUND paths). */
export function pickRun(slot: TenantSlot, chosen: Target): string {
  const existing = RUN_IDS.filter((id) => slot.model.runs.getRun(id) !== null);
  return choose(chosen, existing, RUN_IDS) ?? RUN_IDS[0];
}

/** Where an `expectedSequence` or `atSequence` points, relative to the run's latest sequence. */
export type Relative = "latest" | "behind" | "ahead" | "zero";
export const relative = fc.constantFrom<Relative>("latest", "latest", "behind", "ahead", "zero");

export function resolveRelative(position: Relative, latest: number): number {
  switch (position) {
    case "latest":
      return latest;
    case "behind":
      return Math.max(0, latest - 1);
    case "ahead":
      return latest + 1;
    case "zero":
      return 0;
  }
}

export const runCommands = {
  putDefinition: step(
    "putDefinition",
    fc.record({ tenant, id: fc.constantFrom(...DEFINITION_IDS), version: fc.constantFrom("1", "2"), spec: fc.constantFrom({ a: 1, b: [2] }, { b: [2], a: 1 }, "other") }),
    {
      run: async (world, slot, p, label) => {
        const input = { id: p.id, version: p.version, spec: p.spec };
        const expected = slot.model.runs.putDefinition(input, world.now());
        sameOutcome(await observe(() => slot.backend.workflows.putDefinition(input)), expected, label);
      },
    },
  ),
  createRun: step(
    "createRun",
    fc.record({
      tenant,
      id: fc.constantFrom(...RUN_IDS),
      version: fc.constantFrom("1", "2"),
      input: optional(json),
      context: optional(context),
      ifExists: optional(fc.constantFrom<"return" | "replace" | "error">("return", "replace", "error")),
    }),
    {
      run: async (world, slot, p, label) => {
        const input = { id: p.id, workflowId: "wf", version: p.version, input: p.input, context: p.context };
        const options = p.ifExists === undefined ? undefined : { ifExists: p.ifExists };
        const expected = slot.model.runs.createRun(input, options, world.now());
        sameOutcome(await observe(() => slot.backend.workflows.createRun(input, options)), expected, label);
      },
    },
  ),
  createRunWithoutId: step("createRun without id", fc.record({ tenant, version: fc.constantFrom("1", "2") }), {
    run: async (world, slot, p, label) => {
      // The backend generates the id (W2); the model then creates a run with that id.
      const observed = await observe(() => slot.backend.workflows.createRun({ workflowId: "wf", version: p.version }));
      const id = observed.ok ? observed.value.run.id : "<no id generated>";
      const expected = slot.model.runs.createRun({ id, workflowId: "wf", version: p.version }, { ifExists: "error" }, world.now());
      sameOutcome(observed, expected, label);
    },
  }),
  getRun: step("getRun", fc.record({ tenant, run: target }), {
    readOnly: true,
    run: async (_world, slot, p, label) => {
      const id = pickRun(slot, p.run);
      sameOutcome(await observe(() => slot.backend.workflows.getRun(id)), ok(slot.model.runs.getRun(id)), `${label} on ${id}`);
    },
  }),
  setRunStatus: step("setRunStatus", fc.record({ tenant, run: target, status, expected: optional(status) }), {
    run: async (world, slot, p, label) => {
      const id = pickRun(slot, p.run);
      const options = p.expected === undefined ? undefined : { expected: p.expected };
      const expected = slot.model.runs.setRunStatus(id, p.status, options, world.now());
      sameOutcome(await observe(() => slot.backend.workflows.setRunStatus(id, p.status, options)), expected, `${label} on ${id}`);
    },
  }),
  setContext: step("setContext", fc.record({ tenant, run: target, context }), {
    run: async (world, slot, p, label) => {
      const id = pickRun(slot, p.run);
      const expected = slot.model.runs.setContext(id, p.context, world.now());
      sameOutcome(await observe(() => slot.backend.workflows.setContext(id, p.context)), expected, `${label} on ${id}`);
    },
  }),
  appendToContext: step("appendToContext", fc.record({ tenant, run: target, key: fc.constantFrom("log", "x"), value: json }), {
    run: async (world, slot, p, label) => {
      const id = pickRun(slot, p.run);
      const expected = slot.model.runs.appendToContext(id, p.key, p.value, world.now());
      sameOutcome(await observe(() => slot.backend.workflows.appendToContext(id, p.key, p.value)), expected, `${label} on ${id}`);
    },
  }),
  appendEvents: step(
    "appendEvents",
    fc.record({
      tenant,
      run: target,
      events: fc.array(fc.record({ type: eventType, payload: optional(json) }), { minLength: 1, maxLength: 3 }),
      expectedSequence: optional(relative),
    }),
    {
      run: async (world, slot, p, label) => {
        const id = pickRun(slot, p.run);
        const latest = slot.model.runs.latestSequence(id);
        const options = p.expectedSequence === undefined ? undefined : { expectedSequence: resolveRelative(p.expectedSequence, latest) };
        const expected = slot.model.runs.appendEvents(id, p.events, options, world.now());
        sameOutcome(await observe(() => slot.backend.workflows.appendEvents(id, p.events, options)), expected, `${label} on ${id}`);
      },
    },
  ),
  readEvents: step("readEvents", fc.record({ tenant, run: target, after: optional(fc.nat({ max: 4 })), limit: optional(fc.integer({ min: 1, max: 3 })) }), {
    readOnly: true,
    run: async (_world, slot, p, label) => {
      const id = pickRun(slot, p.run);
      const options = { ...(p.after === undefined ? {} : { after: p.after }), ...(p.limit === undefined ? {} : { limit: p.limit }) };
      sameOutcome(await observe(() => slot.backend.workflows.readEvents(id, options)), ok(slot.model.runs.readEvents(id, options)), `${label} on ${id}`);
    },
  }),
  latestSequence: step("latestSequence", fc.record({ tenant, run: target }), {
    readOnly: true,
    run: async (_world, slot, p, label) => {
      const id = pickRun(slot, p.run);
      sameOutcome(await observe(() => slot.backend.workflows.latestSequence(id)), ok(slot.model.runs.latestSequence(id)), `${label} on ${id}`);
    },
  }),
  writeSnapshot: step("writeSnapshot", fc.record({ tenant, run: target, at: relative, state: json }), {
    run: async (world, slot, p, label) => {
      const id = pickRun(slot, p.run);
      const snapshot = { atSequence: resolveRelative(p.at, slot.model.runs.latestSequence(id)), state: p.state };
      const expected = slot.model.runs.writeSnapshot(id, snapshot, world.now());
      sameOutcome(await observe(() => slot.backend.workflows.writeSnapshot(id, snapshot)), expected, `${label} on ${id}`);
    },
  }),
  upsertStep: step(
    "upsertStep",
    fc.record({ tenant, run: target, step: stepId, status: fc.constantFrom(...STEP_STATUSES), name: optional(fc.constantFrom("load", "send")), output: optional(json) }),
    {
      run: async (world, slot, p, label) => {
        const id = pickRun(slot, p.run);
        const input = { id: p.step, status: p.status, name: p.name, output: p.output };
        const expected = slot.model.runs.upsertStep(id, input, world.now());
        sameOutcome(await observe(() => slot.backend.workflows.upsertStep(id, input)), expected, `${label} on ${id}`);
      },
    },
  ),
  getStep: step("getStep", fc.record({ tenant, run: target, step: stepId }), {
    readOnly: true,
    run: async (_world, slot, p, label) => {
      const id = pickRun(slot, p.run);
      sameOutcome(await observe(() => slot.backend.workflows.getStep(id, p.step)), ok(slot.model.runs.getStep(id, p.step)), `${label} on ${id}`);
    },
  }),
  deleteRun: step("deleteRun", fc.record({ tenant, run: target }), {
    run: async (_world, slot, p, label) => {
      const id = pickRun(slot, p.run);
      sameOutcome(await observe(() => slot.backend.workflows.deleteRun(id)), ok(slot.model.runs.deleteRun(id)), `${label} on ${id}`);
    },
  }),
} as const satisfies Record<string, fc.Arbitrary<WorldCommand>>;

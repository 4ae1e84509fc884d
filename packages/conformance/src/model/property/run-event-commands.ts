/**
 * Commands of contract version 2's workflow store (SPEC W12, W14, W15): creating a run with its
 * first events and keys in one write, appends carrying caller event ids, commits that claim and
 * release keys, and the reads that find them (`getEvent`, `lookupKey`, listing newest first and by
 * workflow, reading events backwards). Pools are small so that repeated ids and contested keys are
 * frequent: the CONFLICTs of W15 and the all-or-nothing of W12 happen in most sequences.
 */
import { type ClaimKeyInput, type CommitInput, type CreateRunOptions, type EventInput, RUN_STATUSES } from "@mooring/core";
import fc from "fast-check";
import { ok } from "../outcome.js";
import { json, optional, target, tenant } from "./arbitraries.js";
import { pickRun } from "./run-commands.js";
import { step, type WorldCommand } from "./step.js";
import { CLAIM_KEYS, EVENT_IDS, observe, RUN_IDS, sameOutcome, WORKFLOW_IDS } from "./world.js";

const eventWithId: fc.Arbitrary<EventInput> = fc.record(
  { type: fc.constantFrom("started", "hook_created"), payload: json, id: fc.constantFrom(...EVENT_IDS) },
  { requiredKeys: ["type"] },
);

/** Events with distinct ids (a batch repeating an id is VALIDATION, core's concern, not the store's). */
const events: fc.Arbitrary<EventInput[]> = fc.uniqueArray(eventWithId, { minLength: 1, maxLength: 3, selector: (event) => event.id ?? Symbol("no id") });

const claims: fc.Arbitrary<ClaimKeyInput[]> = fc.uniqueArray(
  fc.record({ key: fc.constantFrom(...CLAIM_KEYS), value: json, untilTerminal: fc.boolean() }, { requiredKeys: ["key"] }),
  { minLength: 1, maxLength: 2, selector: (claim) => claim.key },
);

export const runEventCommands = {
  createRunWithEvents: step(
    "createRun with events and keys",
    fc.record({
      tenant,
      id: fc.constantFrom(...RUN_IDS),
      workflowId: fc.constantFrom(...WORKFLOW_IDS),
      ifExists: optional(fc.constantFrom<"return" | "replace" | "error">("return", "replace", "error")),
      events: optional(events),
      claimKeys: optional(claims),
    }),
    {
      run: async (world, slot, p, label) => {
        const input = { id: p.id, workflowId: p.workflowId, version: "1" };
        const options: CreateRunOptions = {
          ...(p.ifExists === undefined ? {} : { ifExists: p.ifExists }),
          ...(p.events === undefined ? {} : { events: p.events }),
          ...(p.claimKeys === undefined ? {} : { claimKeys: p.claimKeys }),
        };
        const expected = slot.model.runs.createRun(input, options, world.now());
        sameOutcome(await observe(() => slot.backend.workflows.createRun(input, options)), expected, label);
      },
    },
  ),
  appendEventsWithIds: step("appendEvents with event ids", fc.record({ tenant, run: target, events }), {
    run: async (world, slot, p, label) => {
      const id = pickRun(slot, p.run);
      const expected = slot.model.runs.appendEvents(id, p.events, undefined, world.now());
      sameOutcome(await observe(() => slot.backend.workflows.appendEvents(id, p.events)), expected, `${label} on ${id}`);
    },
  }),
  commitKeys: step(
    "commit with keys",
    fc.record({
      tenant,
      run: target,
      claimKeys: optional(claims),
      release: optional(fc.uniqueArray(fc.constantFrom(...CLAIM_KEYS), { minLength: 1, maxLength: 2 })),
      events: optional(events),
      status: optional(fc.constantFrom(...RUN_STATUSES)),
    }),
    {
      run: async (world, slot, p, label) => {
        const run = pickRun(slot, p.run);
        const claimed = new Set((p.claimKeys ?? []).map((claim) => claim.key));
        const releaseKeys = p.release?.filter((key) => !claimed.has(key));
        const input: CommitInput = {
          ...(p.claimKeys === undefined ? {} : { claimKeys: p.claimKeys }),
          ...(releaseKeys === undefined || releaseKeys.length === 0 ? {} : { releaseKeys }),
          ...(p.events === undefined ? {} : { events: p.events }),
          ...(p.status === undefined ? {} : { status: p.status }),
        };
        const expected = slot.model.commit(run, input, world.now());
        sameOutcome(await observe(() => slot.backend.workflows.commit(run, input)), expected, `${label} on ${run}`);
      },
    },
  ),
  lookupKey: step("lookupKey", fc.record({ tenant, key: fc.constantFrom(...CLAIM_KEYS) }), {
    readOnly: true,
    run: async (_world, slot, p, label) => {
      sameOutcome(await observe(() => slot.backend.workflows.lookupKey(p.key)), ok(slot.model.runs.lookupKey(p.key)), `${label} of ${p.key}`);
    },
  }),
  readEventsBackwards: step(
    "readEvents backwards",
    fc.record({ tenant, run: target, after: optional(fc.nat({ max: 4 })), before: optional(fc.integer({ min: 1, max: 6 })), limit: optional(fc.integer({ min: 1, max: 3 })) }),
    {
      readOnly: true,
      run: async (_world, slot, p, label) => {
        const id = pickRun(slot, p.run);
        const options = {
          order: "desc" as const,
          ...(p.after === undefined ? {} : { after: p.after }),
          ...(p.before === undefined ? {} : { before: p.before }),
          ...(p.limit === undefined ? {} : { limit: p.limit }),
        };
        sameOutcome(await observe(() => slot.backend.workflows.readEvents(id, options)), ok(slot.model.runs.readEvents(id, options)), `${label} on ${id}`);
      },
    },
  ),
  deleteRun: step("deleteRun", fc.record({ tenant, run: target }), {
    run: async (_world, slot, p, label) => {
      const id = pickRun(slot, p.run);
      sameOutcome(await observe(() => slot.backend.workflows.deleteRun(id)), ok(slot.model.runs.deleteRun(id)), `${label} on ${id}`);
    },
  }),
  setRunStatus: step("setRunStatus", fc.record({ tenant, run: target, status: fc.constantFrom(...RUN_STATUSES) }), {
    run: async (world, slot, p, label) => {
      const id = pickRun(slot, p.run);
      const expected = slot.model.runs.setRunStatus(id, p.status, undefined, world.now());
      sameOutcome(await observe(() => slot.backend.workflows.setRunStatus(id, p.status)), expected, `${label} on ${id}`);
    },
  }),
} as const satisfies Record<string, fc.Arbitrary<WorldCommand>>;

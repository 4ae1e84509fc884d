/**
 * `commit` (SPEC W11): events, snapshot, context, status, steps and the settlement of a leased
 * task in one transaction, fenced by the lease like any holder call.
 */
import { type CommitInput, type CommitResult, RUN_STATUSES, type SettleInput } from "@mooring/core";
import fc from "fast-check";
import { context, forgery, json, optional, recent, target, tenant } from "./arbitraries.js";
import { pickRun } from "./run-commands.js";
import { step, type WorldCommand } from "./step.js";
import { heldLease } from "./task-commands.js";
import { sameOutcome, type HeldLease, observe } from "./world.js";

const settle: fc.Arbitrary<SettleInput> = fc.oneof(
  fc.record({ complete: fc.record({ result: json }, { requiredKeys: [] }) }),
  fc.record({ fail: fc.record({ error: json, retryable: optional(fc.boolean()) }) }),
);

export const commitCommand: fc.Arbitrary<WorldCommand> = step(
  "commit",
  fc.record({
    tenant,
    run: target,
    lease: optional(fc.record({ index: recent, forge: forgery, settle: optional(settle) })),
    expectedSequence: optional(fc.constantFrom("latest", "stale") as fc.Arbitrary<"latest" | "stale">),
    events: optional(fc.array(fc.record({ type: fc.constantFrom("committed", "step:done"), payload: optional(json) }), { minLength: 1, maxLength: 2 })),
    snapshot: optional(fc.record({ at: fc.constantFrom("default", "latest", "beyond"), state: json })),
    context: optional(context),
    status: optional(fc.constantFrom(...RUN_STATUSES)),
    steps: optional(fc.array(fc.record({ id: fc.constantFrom("s1", "s:2"), status: fc.constantFrom("running", "completed") as fc.Arbitrary<"running" | "completed"> }), { minLength: 1, maxLength: 2 })),
  }),
  {
    run: async (world, slot, p, label) => {
      const now = world.now();
      const run = pickRun(slot, p.run);
      const latest = slot.model.runs.latestSequence(run);
      const held = p.lease === undefined || slot.leases.length === 0 ? undefined : heldLease(world, slot, p.lease.index, p.lease.forge);
      const after = latest + (p.events?.length ?? 0);
      const base: Omit<CommitInput, "lease" | "settle"> = {
        ...(p.expectedSequence === undefined ? {} : { expectedSequence: p.expectedSequence === "latest" ? latest : latest + 1 }),
        ...(p.events === undefined ? {} : { events: p.events }),
        ...(p.snapshot === undefined
          ? {}
          : { snapshot: { state: p.snapshot.state, ...(p.snapshot.at === "default" ? {} : { atSequence: p.snapshot.at === "latest" ? after : after + 1 }) } }),
        ...(p.context === undefined ? {} : { context: p.context }),
        ...(p.status === undefined ? {} : { status: p.status }),
        ...(p.steps === undefined ? {} : { steps: p.steps }),
      };
      const withLease = (lease: HeldLease["model"] | undefined): CommitInput =>
        lease === undefined ? base : { ...base, lease, ...(p.lease?.settle === undefined ? {} : { settle: p.lease.settle }) };
      const expected = slot.model.commit(run, withLease(held?.model), now);
      const observed = await observe(() => slot.backend.workflows.commit(run, withLease(held?.real)));
      sameOutcome(observed, expected, `${label} on ${run}`, (result: CommitResult) => result);
    },
  },
);

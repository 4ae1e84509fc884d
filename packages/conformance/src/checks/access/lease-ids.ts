/**
 * Unguessable leases (T4): every lease carries a leaseId of at least 96 random bits, and a holder
 * call that knows the task and its latest epoch but not the leaseId is STALE_LEASE and writes
 * nothing, whatever call it is, whatever state the task is in, and the E7 repeat of `complete`
 * included. The lease itself keeps working afterwards: a forgery must not disturb its holder.
 */
import type { Backend, EngineBackend, Lease } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import {
  advanceTo,
  claimOne,
  enqueueTask,
  ensure,
  expectRejectedHolderCall,
  forgedLeaseIds,
  HOLDER_CALLS,
  type HolderCall,
  rejectsWith,
  same,
  show,
  succeeds,
} from "../support/index.js";

/** T4's floor. */
const MIN_BITS = 96;
/** How many leases the strength check looks at: enough that each base64url character shows up. */
const SAMPLE = 48;

/** The length of the longest prefix every string of `texts` shares. */
function commonPrefixLength(texts: readonly string[]): number {
  const first = texts[0] ?? "";
  let length = 0;
  while (length < first.length && texts.every((text) => text[length] === first[length])) length++;
  return length;
}

/**
 * A black-box estimate of the random bits in a set of ids: what varies between them (the ids
 * without the prefix and suffix they all share) times log2 of the characters seen there. It
 * cannot prove randomness; it refuses what T4 rules out in practice: short ids, counters,
 * timestamps and ids padded with a constant.
 */
function estimatedBits(ids: readonly string[]): number {
  const prefix = commonPrefixLength(ids);
  const reversed = ids.map((id) => [...id.slice(prefix)].reverse().join(""));
  const suffix = commonPrefixLength(reversed);
  const varying = reversed.map((text) => [...text.slice(suffix)]);
  const shortest = Math.min(...varying.map((characters) => characters.length));
  const alphabet = new Set(varying.flat()).size;
  return alphabet < 2 ? 0 : shortest * Math.log2(alphabet);
}

/** A task of its own queue, leased (three attempts, so a forged fail could not dead-letter it). */
async function leasedTask(engine: EngineBackend, queue: string, what: string): Promise<Lease> {
  const id = await enqueueTask(engine, { queue, maxAttempts: 3 }, `${what}: enqueue`);
  return claimOne(engine, queue, { taskId: id, leaseMs: 60_000 }, `${what}: claim`);
}

/** The holder calls the backend declares. */
function declaredCalls(backend: Backend): HolderCall[] {
  const capabilities = backend.capabilities as Readonly<Record<string, boolean | undefined>>;
  return HOLDER_CALLS.filter((call) => call.requires.every((name) => capabilities[name] === true));
}

/** Asserts that the forged call's error has the fence's documented details, the task's as it is now. */
async function expectFenceDetails(engine: EngineBackend, lease: Lease, error: { readonly details?: unknown }, what: string): Promise<void> {
  const task = await engine.getTask(lease.taskId);
  same({ ...(error.details as object) }, { taskId: lease.taskId, leaseEpoch: lease.epoch, currentEpoch: task?.epoch ?? null, state: task?.state ?? null }, `${what}: the STALE_LEASE error's details`);
}

export const checks: Check[] = [
  defineCheck({
    id: "T4.lease-id-strength",
    rule: "T4",
    title: `every lease carries a leaseId of at least ${MIN_BITS} bits: new with every lease granted, kept by renew, never repeated`,
    requires: ["leases", "tenancy"],
    kind: "example",
    async run(ctx) {
      const queue = ctx.unique("lease-ids");
      const other = ctx.backend.forTenant(ctx.unique("lease-ids-tenant"));
      const leases: Lease[] = [];
      for (const engine of [ctx.backend.engine, other.engine]) {
        for (let i = 0; i < SAMPLE / 4; i++) await enqueueTask(engine, { queue, maxAttempts: 5 }, "enqueue");
        const granted = await succeeds(engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: SAMPLE / 4 }), "claim");
        same(granted.length, SAMPLE / 4, "leases granted by one claim");
        leases.push(...granted);
        // The same tasks leased again: every epoch gets a new leaseId.
        for (const lease of granted) ensure(await succeeds(engine.revokeLease(lease.taskId), "revokeLease"), "revokeLease of a leased task must return true");
        const again = await succeeds(engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: SAMPLE / 4 }), "claim again");
        same(again.length, SAMPLE / 4, "leases granted by the second claim");
        leases.push(...again);
        await ctx.progress();
      }
      for (const lease of leases) {
        ensure(typeof lease.leaseId === "string" && lease.leaseId.length >= MIN_BITS / 6, `a leaseId must be a string of at least ${MIN_BITS / 6} characters (${MIN_BITS} bits in base64url), got ${show(lease.leaseId)}`);
      }
      const ids = leases.map((lease) => lease.leaseId);
      same(new Set(ids).size, ids.length, `distinct leaseIds among ${ids.length} leases (two tenants, every task leased twice): ${show(ids)}`);
      const bits = estimatedBits(ids);
      ensure(bits >= MIN_BITS, `the leaseIds carry about ${Math.floor(bits)} bits where they differ, below T4's ${MIN_BITS}: ${show(ids.slice(0, 6))}`);
      // The first claim's leases are the root view's, revoked since; its second claim's are held.
      const held = leases[SAMPLE / 4] as Lease;
      const renewed = await succeeds(ctx.backend.engine.renew(held, { leaseMs: 1_000 }), "renew");
      same(renewed.leaseId, held.leaseId, "renew returns the lease with its leaseId unchanged");
    },
  }),
  defineCheck({
    id: "T4.forged-lease-id-every-call",
    rule: "T4",
    title: "every holder call with the right task and epoch but a guessed leaseId is STALE_LEASE and writes nothing; the real lease still works",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      for (const call of declaredCalls(ctx.backend)) {
        const lease = await leasedTask(engine, ctx.unique(`forged-${call.name}`), call.name);
        for (const forgery of forgedLeaseIds(lease.leaseId)) {
          const what = `${call.name} with the leaseId ${forgery.name}`;
          const forged = { ...lease, leaseId: forgery.leaseId };
          const error = await expectRejectedHolderCall({ engine, call, lease: forged, code: "STALE_LEASE", signalKey: ctx.unique("forged-signal"), what });
          await expectFenceDetails(engine, forged, error, what);
        }
        await succeeds(call.invoke(engine, lease, ctx.unique("real-signal")), `${call.name} with the real lease after the forgeries`);
        await ctx.progress();
      }
    },
  }),
  defineCheck({
    id: "T4.forged-commit",
    rule: "T4",
    title: "commit holding a lease with a guessed leaseId is STALE_LEASE and writes nothing, neither to the run nor to the task",
    requires: ["runs", "events", "commit", "leases"],
    kind: "example",
    async run(ctx) {
      const { workflows, engine } = ctx.backend;
      const { run } = await succeeds(workflows.createRun({ id: ctx.unique("forged-commit"), workflowId: "fenced", version: "1" }), "createRun");
      const lease = await leasedTask(engine, ctx.unique("forged-commit"), "commit");
      const before = { events: await workflows.readEvents(run.id), run: await workflows.getRun(run.id), task: await engine.getTask(lease.taskId) };
      for (const forgery of forgedLeaseIds(lease.leaseId)) {
        const forged = { ...lease, leaseId: forgery.leaseId };
        await rejectsWith(
          workflows.commit(run.id, { lease: forged, events: [{ type: "forged" }], context: { forged: true }, settle: { complete: { result: "forged" } } }),
          "STALE_LEASE",
          `commit with the leaseId ${forgery.name}`,
        );
      }
      const after = { events: await workflows.readEvents(run.id), run: await workflows.getRun(run.id), task: await engine.getTask(lease.taskId) };
      same(after, before, "a rejected commit writes nothing (run, events and task before vs after)");
      await succeeds(workflows.commit(run.id, { lease, events: [{ type: "real" }], settle: { complete: { result: "real" } } }), "commit with the real lease");
      same((await engine.getTask(lease.taskId))?.result, "real", "the real lease's commit settled the task");
    },
  }),
  defineCheck({
    id: "T4.forgery-learns-nothing",
    rule: "T4",
    title: "a guessed leaseId is STALE_LEASE whatever became of the lease (held, expired, revoked, released, failed, completed), before any other verdict",
    requires: ["leases", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const endings: { readonly name: string; end(lease: Lease): Promise<unknown> }[] = [
        { name: "held", end: async () => undefined },
        { name: "expired", end: async (lease) => advanceTo(ctx.clock, lease.expiresAt) },
        {
          name: "reclaimed after expiry",
          end: async (lease) => {
            advanceTo(ctx.clock, lease.expiresAt);
            return engine.reclaimExpired();
          },
        },
        { name: "revoked", end: (lease) => engine.revokeLease(lease.taskId) },
        { name: "cancelled", end: (lease) => engine.cancel(lease.taskId) },
        { name: "released", end: (lease) => engine.release(lease) },
        { name: "failed", end: (lease) => engine.fail(lease, { error: "failed" }) },
        { name: "completed", end: (lease) => engine.complete(lease, { result: "done" }) },
      ];
      for (const ending of endings) {
        const lease = await leasedTask(engine, ctx.unique(`learns-${ending.name.replaceAll(" ", "-")}`), ending.name);
        await succeeds(Promise.resolve(ending.end(lease)), `setup: the lease ${ending.name}`);
        const forged = { ...lease, leaseId: forgedLeaseIds(lease.leaseId)[0]!.leaseId };
        const before = await engine.getTask(lease.taskId);
        for (const call of [HOLDER_CALLS[0]!, HOLDER_CALLS[1]!]) {
          const error = await rejectsWith(call.invoke(engine, forged, ctx.unique("learns-signal")), "STALE_LEASE", `${call.name} with a guessed leaseId, the lease ${ending.name}`);
          await expectFenceDetails(engine, forged, error, `${call.name}, the lease ${ending.name}`);
        }
        same(await engine.getTask(lease.taskId), before, `the lease ${ending.name}: rejected calls with a guessed leaseId write nothing`);
        await ctx.progress();
      }
    },
  }),
  defineCheck({
    id: "T4.forged-complete-repeat",
    rule: "T4",
    title: "complete repeated after it succeeded (E7) with a guessed leaseId is STALE_LEASE; the real lease's repeat still succeeds",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const lease = await leasedTask(engine, ctx.unique("forged-repeat"), "complete");
      await succeeds(engine.complete(lease, { result: "first" }), "complete");
      const settled = await engine.getTask(lease.taskId);
      for (const forgery of forgedLeaseIds(lease.leaseId)) {
        await rejectsWith(engine.complete({ ...lease, leaseId: forgery.leaseId }, { result: "forged" }), "STALE_LEASE", `the repeat of complete with the leaseId ${forgery.name}`);
      }
      same(await engine.getTask(lease.taskId), settled, "rejected repeats write nothing");
      await succeeds(engine.complete(lease, { result: "first" }), "the repeat of complete with the real lease (E7)");
      same((await engine.getTask(lease.taskId))?.result, "first", "the task's result after the repeats");
    },
  }),
];

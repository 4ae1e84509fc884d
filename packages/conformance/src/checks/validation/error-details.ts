/**
 * The `details` of errors outside the fence (SPEC C4): every backend returns core's one documented
 * shape per situation (rules/details.ts), whatever its datastore, so a backend whose errors drift
 * from it fails here. Each check compares the whole `details` object, named by the rule of its
 * situation: C6 (NOT_FOUND), W3, W4, W8, W10, E12, E16 and T2. The fence's details are checked in
 * leases/fence-details.ts.
 */
import {
  contextNotArrayDetails,
  definitionConflictDetails,
  notDeadDetails,
  notFoundDetails,
  runExistsDetails,
  sequenceConflictDetails,
  snapshotBeyondDetails,
  statusConflictDetails,
  statusMoveDetails,
  tenantExistsDetails,
  tenantSuspendedDetails,
} from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { enqueueTask, rejectsWithDetails, succeeds } from "../support/index.js";

export const checks: Check[] = [
  defineCheck({
    id: "W8.sequence-conflict-details",
    rule: "W8",
    title: "SEQUENCE_CONFLICT carries { runId, expectedSequence, latestSequence }, from appendEvents and commit",
    requires: ["runs", "events"],
    kind: "example",
    async run(ctx) {
      const workflows = ctx.backend.workflows;
      const { run } = await succeeds(workflows.createRun({ id: ctx.unique("sequence-details"), workflowId: "w", version: "1" }), "setup: createRun");
      await succeeds(workflows.appendEvents(run.id, [{ type: "a" }, { type: "b" }]), "setup: appendEvents");
      await rejectsWithDetails(
        workflows.appendEvents(run.id, [{ type: "c" }], { expectedSequence: 1 }),
        "SEQUENCE_CONFLICT",
        sequenceConflictDetails(run.id, 1, 2),
        "appendEvents with expectedSequence 1 at 2",
      );
      if (ctx.backend.capabilities.commit === true) {
        await rejectsWithDetails(
          workflows.commit(run.id, { events: [{ type: "c" }], expectedSequence: 5 }),
          "SEQUENCE_CONFLICT",
          sequenceConflictDetails(run.id, 5, 2),
          "commit with expectedSequence 5 at 2",
        );
      }
    },
  }),
  defineCheck({
    id: "W3.conflict-details",
    rule: "W3",
    title: "CONFLICT carries { runId, status, requestedStatus, expectedStatus } for a refused status move, { runId } for an existing run, { workflowId, version } for a changed definition",
    requires: ["runs"],
    kind: "example",
    async run(ctx) {
      const workflows = ctx.backend.workflows;
      const id = ctx.unique("conflict-details");
      await succeeds(workflows.createRun({ id, workflowId: "w", version: "1" }), "setup: createRun");
      await rejectsWithDetails(workflows.createRun({ id, workflowId: "w", version: "1" }, { ifExists: "error" }), "CONFLICT", runExistsDetails(id), "createRun ifExists error on an existing run");

      await rejectsWithDetails(
        workflows.setRunStatus(id, "running", { expected: "suspended" }),
        "CONFLICT",
        statusConflictDetails(id, "pending", "running", "suspended"),
        "setRunStatus expecting suspended while pending",
      );
      await succeeds(workflows.setRunStatus(id, "cancelled"), "setup: cancel the run");
      await rejectsWithDetails(workflows.setRunStatus(id, "running"), "CONFLICT", statusConflictDetails(id, "cancelled", "running", undefined), "setRunStatus on a cancelled run");
      if (ctx.backend.capabilities.commit === true) {
        await rejectsWithDetails(workflows.commit(id, { status: "running" }), "CONFLICT", statusConflictDetails(id, "cancelled", "running", undefined), "commit moving a cancelled run");
      }

      const workflowId = ctx.unique("conflict-definition");
      await succeeds(workflows.putDefinition({ id: workflowId, version: "1", spec: { steps: ["a"] } }), "setup: putDefinition");
      await rejectsWithDetails(
        workflows.putDefinition({ id: workflowId, version: "1", spec: { steps: ["b"] } }),
        "CONFLICT",
        definitionConflictDetails(workflowId, "1"),
        "putDefinition with a different spec",
      );
    },
  }),
  defineCheck({
    id: "T2.tenant-conflict-details",
    rule: "T2",
    title: "CONFLICT from tenants.create with an existing id carries { tenantId }",
    requires: ["tenancy"],
    kind: "example",
    async run(ctx) {
      const id = ctx.unique("tenant-details");
      await succeeds(ctx.backend.tenants.create({ id, name: "Acme" }), "setup: tenants.create");
      await rejectsWithDetails(ctx.backend.tenants.create({ id, name: "Again" }), "CONFLICT", tenantExistsDetails(id), "tenants.create with an existing id");
    },
  }),
  defineCheck({
    id: "C6.run-not-found-details",
    rule: "C6",
    title: "NOT_FOUND for an absent run carries { runId }, from every write addressed to it",
    requires: ["runs"],
    kind: "example",
    async run(ctx) {
      const workflows = ctx.backend.workflows;
      const runId = ctx.unique("absent-run");
      const details = notFoundDetails("run", runId);
      await rejectsWithDetails(workflows.setRunStatus(runId, "running"), "NOT_FOUND", details, "setRunStatus on an absent run");
      await rejectsWithDetails(workflows.setContext(runId, { a: 1 }), "NOT_FOUND", details, "setContext on an absent run");
      await rejectsWithDetails(workflows.appendToContext(runId, "list", 1), "NOT_FOUND", details, "appendToContext on an absent run");
      await rejectsWithDetails(workflows.upsertStep(runId, { id: "step", status: "running" }), "NOT_FOUND", details, "upsertStep on an absent run");
      if (ctx.backend.capabilities.events === true) {
        await rejectsWithDetails(workflows.appendEvents(runId, [{ type: "a" }]), "NOT_FOUND", details, "appendEvents on an absent run");
      }
      if (ctx.backend.capabilities.snapshots === true) {
        await rejectsWithDetails(workflows.writeSnapshot(runId, { atSequence: 0, state: {} }), "NOT_FOUND", details, "writeSnapshot on an absent run");
      }
      if (ctx.backend.capabilities.commit === true) {
        await rejectsWithDetails(workflows.commit(runId, { events: [{ type: "a" }] }), "NOT_FOUND", details, "commit on an absent run");
      }
    },
  }),
  defineCheck({
    id: "C6.task-not-found-details",
    rule: "C6",
    title: "NOT_FOUND for an absent task carries { taskId }, from cancel, revokeLease and retryDeadLetter",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const taskId = ctx.unique("absent-task");
      const details = notFoundDetails("task", taskId);
      await rejectsWithDetails(engine.cancel(taskId), "NOT_FOUND", details, "cancel of an absent task");
      await rejectsWithDetails(engine.revokeLease(taskId), "NOT_FOUND", details, "revokeLease of an absent task");
      if (ctx.backend.capabilities.deadLetter === true) {
        await rejectsWithDetails(engine.retryDeadLetter(taskId), "NOT_FOUND", details, "retryDeadLetter of an absent task");
      }
    },
  }),
  defineCheck({
    id: "C6.tenant-not-found-details",
    rule: "C6",
    title: "NOT_FOUND from tenants.update of an absent tenant carries { tenantId }",
    requires: ["tenancy"],
    kind: "example",
    async run(ctx) {
      const tenantId = ctx.unique("absent-tenant");
      await rejectsWithDetails(ctx.backend.tenants.update(tenantId, { name: "Nobody" }), "NOT_FOUND", notFoundDetails("tenant", tenantId), "tenants.update of an absent tenant");
    },
  }),
  defineCheck({
    id: "E16.dependency-not-found-details",
    rule: "E16",
    title: "NOT_FOUND from enqueue with an absent dependency carries the dependency's { taskId }",
    requires: ["leases", "dependencies"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const present = await enqueueTask(engine, { queue }, "setup: enqueue a dependency");
      const absent = ctx.unique("absent-dependency");
      const details = notFoundDetails("task", absent);
      await rejectsWithDetails(engine.enqueue({ queue, dependsOn: [present, absent] }), "NOT_FOUND", details, "enqueue depending on an absent task");
      await rejectsWithDetails(engine.enqueueMany([{ queue }, { queue, dependsOn: [absent] }]), "NOT_FOUND", details, "enqueueMany whose second task depends on an absent task");
    },
  }),
  defineCheck({
    id: "W3.invalid-move-details",
    rule: "W3",
    title: "INVALID_STATE for a status move off the graph carries { runId, status, requestedStatus }",
    requires: ["runs"],
    kind: "example",
    async run(ctx) {
      const workflows = ctx.backend.workflows;
      const id = ctx.unique("invalid-move");
      await succeeds(workflows.createRun({ id, workflowId: "w", version: "1" }), "setup: createRun");
      await rejectsWithDetails(workflows.setRunStatus(id, "completed"), "INVALID_STATE", statusMoveDetails(id, "pending", "completed"), "setRunStatus from pending to completed");
      await rejectsWithDetails(
        workflows.setRunStatus(id, "suspended", { expected: "pending" }),
        "INVALID_STATE",
        statusMoveDetails(id, "pending", "suspended"),
        "setRunStatus from pending to suspended, expecting pending",
      );
      if (ctx.backend.capabilities.commit === true) {
        await rejectsWithDetails(workflows.commit(id, { status: "completed" }), "INVALID_STATE", statusMoveDetails(id, "pending", "completed"), "commit moving a pending run to completed");
      }
    },
  }),
  defineCheck({
    id: "W4.context-not-array-details",
    rule: "W4",
    title: "INVALID_STATE from appendToContext on a non-array member carries { runId, key }",
    requires: ["runs"],
    kind: "example",
    async run(ctx) {
      const workflows = ctx.backend.workflows;
      const id = ctx.unique("context-details");
      await succeeds(workflows.createRun({ id, workflowId: "w", version: "1", context: { count: 3, label: "x" } }), "setup: createRun");
      await rejectsWithDetails(workflows.appendToContext(id, "count", 4), "INVALID_STATE", contextNotArrayDetails(id, "count"), "appendToContext on a number member");
      await rejectsWithDetails(workflows.appendToContext(id, "label", "y"), "INVALID_STATE", contextNotArrayDetails(id, "label"), "appendToContext on a string member");
    },
  }),
  defineCheck({
    id: "W10.snapshot-beyond-details",
    rule: "W10",
    title: "INVALID_STATE for a snapshot beyond the latest sequence carries { runId, atSequence, latestSequence }",
    requires: ["runs", "snapshots"],
    kind: "example",
    async run(ctx) {
      const workflows = ctx.backend.workflows;
      const id = ctx.unique("snapshot-details");
      await succeeds(workflows.createRun({ id, workflowId: "w", version: "1" }), "setup: createRun");
      let latest = 0;
      if (ctx.backend.capabilities.events === true) {
        await succeeds(workflows.appendEvents(id, [{ type: "a" }, { type: "b" }]), "setup: appendEvents");
        latest = 2;
      }
      await rejectsWithDetails(
        workflows.writeSnapshot(id, { atSequence: latest + 3, state: {} }),
        "INVALID_STATE",
        snapshotBeyondDetails(id, latest + 3, latest),
        `writeSnapshot at ${latest + 3} with latest sequence ${latest}`,
      );
      if (ctx.backend.capabilities.commit === true) {
        // The latest sequence a commit's snapshot is judged against counts the commit's own events (W11).
        await rejectsWithDetails(
          workflows.commit(id, { events: [{ type: "c" }], snapshot: { atSequence: latest + 5, state: {} } }),
          "INVALID_STATE",
          snapshotBeyondDetails(id, latest + 5, latest + 1),
          `commit of one event with a snapshot at ${latest + 5}`,
        );
      }
    },
  }),
  defineCheck({
    id: "E12.not-dead-details",
    rule: "E12",
    title: "INVALID_STATE from retryDeadLetter of a task that is not dead carries { taskId, state }",
    requires: ["leases", "deadLetter"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const taskId = await enqueueTask(engine, { queue: ctx.unique("queue") }, "setup: enqueue");
      await rejectsWithDetails(engine.retryDeadLetter(taskId), "INVALID_STATE", notDeadDetails(taskId, "ready"), "retryDeadLetter of a ready task");
      await succeeds(engine.cancel(taskId), "setup: cancel");
      await rejectsWithDetails(engine.retryDeadLetter(taskId), "INVALID_STATE", notDeadDetails(taskId, "cancelled"), "retryDeadLetter of a cancelled task");
    },
  }),
  defineCheck({
    id: "T2.suspended-tenant-details",
    rule: "T2",
    title: "INVALID_STATE from enqueue or claim in a suspended tenant carries { tenantId }",
    requires: ["leases", "tenancy"],
    kind: "example",
    async run(ctx) {
      const tenantId = ctx.unique("suspended-details");
      await succeeds(ctx.backend.tenants.create({ id: tenantId, name: "Suspended", status: "suspended" }), "setup: create a suspended tenant");
      const engine = ctx.backend.forTenant(tenantId).engine;
      const queue = ctx.unique("queue");
      const details = tenantSuspendedDetails(tenantId);
      await rejectsWithDetails(engine.enqueue({ queue }), "INVALID_STATE", details, "enqueue in a suspended tenant");
      await rejectsWithDetails(engine.enqueueMany([{ queue }, { queue }]), "INVALID_STATE", details, "enqueueMany in a suspended tenant");
      await rejectsWithDetails(engine.claim({ workerId: "w", queues: [queue], leaseMs: 1_000 }), "INVALID_STATE", details, "claim in a suspended tenant");
    },
  }),
];

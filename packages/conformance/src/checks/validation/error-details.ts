/**
 * The `details` of errors outside the fence (SPEC C4, W3, W8): every backend returns core's one
 * documented shape per situation (rules/details.ts), whatever its datastore, so a backend whose
 * errors drift from it fails here. The fence's details are checked in leases/fence-details.ts.
 */
import { definitionConflictDetails, runExistsDetails, sequenceConflictDetails, statusConflictDetails, tenantExistsDetails } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { rejectsWith, same, succeeds } from "../support/index.js";

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
      const appended = await rejectsWith(workflows.appendEvents(run.id, [{ type: "c" }], { expectedSequence: 1 }), "SEQUENCE_CONFLICT", "appendEvents with expectedSequence 1 at 2");
      same({ ...appended.details }, sequenceConflictDetails(run.id, 1, 2), "appendEvents: the SEQUENCE_CONFLICT error's details");
      if (ctx.backend.capabilities.commit === true) {
        const committed = await rejectsWith(workflows.commit(run.id, { events: [{ type: "c" }], expectedSequence: 5 }), "SEQUENCE_CONFLICT", "commit with expectedSequence 5 at 2");
        same({ ...committed.details }, sequenceConflictDetails(run.id, 5, 2), "commit: the SEQUENCE_CONFLICT error's details");
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
      const exists = await rejectsWith(workflows.createRun({ id, workflowId: "w", version: "1" }, { ifExists: "error" }), "CONFLICT", "createRun ifExists error on an existing run");
      same({ ...exists.details }, runExistsDetails(id), "createRun: the CONFLICT error's details");

      const expected = await rejectsWith(workflows.setRunStatus(id, "running", { expected: "suspended" }), "CONFLICT", "setRunStatus expecting suspended while pending");
      same({ ...expected.details }, statusConflictDetails(id, "pending", "running", "suspended"), "setRunStatus with a wrong expected status: the CONFLICT error's details");
      await succeeds(workflows.setRunStatus(id, "cancelled"), "setup: cancel the run");
      const terminal = await rejectsWith(workflows.setRunStatus(id, "running"), "CONFLICT", "setRunStatus on a cancelled run");
      same({ ...terminal.details }, statusConflictDetails(id, "cancelled", "running", undefined), "setRunStatus on a terminal run: the CONFLICT error's details");
      if (ctx.backend.capabilities.commit === true) {
        const committed = await rejectsWith(workflows.commit(id, { status: "running" }), "CONFLICT", "commit moving a cancelled run");
        same({ ...committed.details }, statusConflictDetails(id, "cancelled", "running", undefined), "commit on a terminal run: the CONFLICT error's details");
      }

      const workflowId = ctx.unique("conflict-definition");
      await succeeds(workflows.putDefinition({ id: workflowId, version: "1", spec: { steps: ["a"] } }), "setup: putDefinition");
      const changed = await rejectsWith(workflows.putDefinition({ id: workflowId, version: "1", spec: { steps: ["b"] } }), "CONFLICT", "putDefinition with a different spec");
      same({ ...changed.details }, definitionConflictDetails(workflowId, "1"), "putDefinition: the CONFLICT error's details");
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
      const error = await rejectsWith(ctx.backend.tenants.create({ id, name: "Again" }), "CONFLICT", "tenants.create with an existing id");
      same({ ...error.details }, tenantExistsDetails(id), "tenants.create: the CONFLICT error's details");
    },
  }),
];

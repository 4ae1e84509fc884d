/** Helpers of the workflow, state and sequencing checks: fresh runs, more clients of one store, bytes. */
import type { Backend, CreateRunInput, RunRecord } from "@mooring/core";
import type { BackendClockContext, CheckContext } from "../../registry.js";
import { same } from "./assertions.js";

/** Creates a run with a unique id (and definition coordinates) on `backend`. */
export async function newRun(context: BackendClockContext, input: Partial<CreateRunInput> = {}, backend: Backend = context.backend): Promise<RunRecord> {
  const { run, created } = await backend.workflows.createRun({
    id: context.unique("run"),
    workflowId: context.unique("wf"),
    version: "1",
    ...input,
  });
  same(created, true, `createRun of a fresh id ${run.id}: created`);
  return run;
}

/** `count` clients of the check's store: the check's backend and `count − 1` more from `connect()`. */
export async function connectClients(context: CheckContext, count: number): Promise<Backend[]> {
  const others = await Promise.all(Array.from({ length: count - 1 }, () => context.connect()));
  return [context.backend, ...others];
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * The World's entities (run, step, hook, wait) built from a run's state, with their payloads read
 * from the events that carried them when `resolveData` is `"all"`.
 */
import type { RunRecord } from "@mooring/core";
import { HookSchema, type Hook, type ResolveData, StepSchema, type Step, type Wait, WorkflowRunSchema, type WorkflowRun } from "@workflow/world";
import type { HookState, RunState, StepState, WaitState } from "./run-state.js";
import { readEventData, type WorldStore } from "./store.js";

const date = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));

export async function runEntity(store: WorldStore, runId: string, record: RunRecord, state: RunState, resolveData: ResolveData): Promise<WorkflowRun> {
  const all = resolveData === "all";
  const [input, output, error] = all
    ? await Promise.all([
        readEventData(store, runId, state.inputEvent, "input"),
        readEventData(store, runId, state.outputEvent, "output"),
        readEventData(store, runId, state.errorEvent, "error"),
      ])
    : [undefined, undefined, undefined];
  const terminal = state.status !== "pending" && state.status !== "running";
  return WorkflowRunSchema.parse({
    runId,
    status: state.status,
    deploymentId: state.deploymentId,
    workflowName: state.workflowName,
    specVersion: state.specVersion,
    executionContext: state.executionContext,
    input,
    output: state.status === "completed" ? output : undefined,
    error: state.status === "failed" ? error : undefined,
    errorCode: state.errorCode,
    attributes: state.attributes,
    startedAt: date(state.startedAt),
    completedAt: terminal ? new Date(state.completedAt ?? record.completedAt ?? record.updatedAt) : undefined,
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
  }) as WorkflowRun;
}

export async function stepEntity(store: WorldStore, runId: string, stepId: string, step: StepState, resolveData: ResolveData): Promise<Step> {
  const all = resolveData === "all";
  const [input, output, error] = await Promise.all([
    all ? readEventData(store, runId, step.inputEvent, "input") : undefined,
    all ? readEventData(store, runId, step.outputEvent, "result") : undefined,
    readEventData(store, runId, step.errorEvent, "error"),
  ]);
  return StepSchema.parse({
    runId,
    stepId,
    stepName: step.stepName,
    status: step.status,
    input,
    output,
    error,
    attempt: step.attempt,
    startedAt: date(step.startedAt),
    completedAt: date(step.completedAt),
    createdAt: new Date(step.createdAt),
    updatedAt: new Date(step.updatedAt),
    retryAfter: date(step.retryAfter),
    specVersion: step.specVersion,
  });
}

export async function hookEntity(store: WorldStore, runId: string, hookId: string, hook: HookState, resolveData: ResolveData): Promise<Hook> {
  const metadata = resolveData === "all" ? await readEventData(store, runId, hook.event, "metadata") : undefined;
  return HookSchema.parse({
    runId,
    hookId,
    token: hook.token,
    ownerId: "",
    projectId: "",
    environment: "",
    metadata,
    createdAt: new Date(hook.createdAt),
    specVersion: hook.specVersion,
    isWebhook: hook.isWebhook ?? true,
    isSystem: hook.isSystem ?? false,
  });
}

export function waitEntity(runId: string, correlationId: string, wait: WaitState): Wait {
  return {
    waitId: `${runId}-${correlationId}`,
    runId,
    status: wait.status,
    resumeAt: date(wait.resumeAt),
    completedAt: date(wait.completedAt),
    createdAt: new Date(wait.createdAt),
    updatedAt: new Date(wait.updatedAt),
    specVersion: wait.specVersion,
  };
}

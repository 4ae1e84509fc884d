/**
 * What the World keeps of a run beside its event log: the materialized run, step, hook and wait
 * entities the interface reads (`runs.get`, `steps.list`, …), held in the Mooring run's context.
 *
 * Only metadata lives here. Payloads (inputs, outputs, errors, hook metadata) stay in the events
 * that carried them and are referred to by event id (SPEC W15 `getEvent`), so a commit rewrites a
 * few hundred bytes per entity, never the payloads, and bytes stay bytes (W13).
 */
import type { ValueObject } from "@mooring/core";
import { type BytesEncoding, decodeValue, encodeValue } from "./codec.js";

export type WorldRunStatus = "pending" | "running" | "completed" | "failed" | "cancelled";
export type WorldStepStatus = "pending" | "running" | "completed" | "failed" | "cancelled";

export interface StepState {
  stepName: string;
  status: WorldStepStatus;
  attempt: number;
  specVersion: number;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  completedAt?: number;
  retryAfter?: number;
  /** The event holding the step's `input` (step_created, or a lazy step_started's synthetic one). */
  inputEvent: string;
  /** The step_completed event holding `result`. */
  outputEvent?: string;
  /** The latest step_failed or step_retrying event holding `error`. */
  errorEvent?: string;
}

export interface HookState {
  token: string;
  specVersion: number;
  createdAt: number;
  isWebhook?: boolean;
  isSystem?: boolean;
  /** The hook_created event holding `metadata`. */
  event: string;
}

export interface WaitState {
  status: "waiting" | "completed";
  specVersion: number;
  createdAt: number;
  updatedAt: number;
  resumeAt?: number;
  completedAt?: number;
}

/** The World's view of one run, kept in the Mooring run's context. */
export interface RunState {
  deploymentId: string;
  workflowName: string;
  specVersion: number;
  executionContext?: Record<string, unknown>;
  attributes: Record<string, string>;
  /**
   * The correlation ids of the workflow's attr_set events, each recorded once (a replay of the
   * workflow sends them again). Absent in a state written before it existed.
   */
  attributeEvents?: string[];
  status: WorldRunStatus;
  errorCode?: string;
  startedAt?: number;
  completedAt?: number;
  /** The run_created event holding `input`. */
  inputEvent: string;
  outputEvent?: string;
  errorEvent?: string;
  steps: Record<string, StepState>;
  hooks: Record<string, HookState>;
  waits: Record<string, WaitState>;
}

/** The context member the state lives under, so the context stays open to other uses. */
const STATE_MEMBER = "world";

export function stateToContext(state: RunState, bytes: BytesEncoding): ValueObject {
  return { [STATE_MEMBER]: encodeValue(state, bytes) ?? null };
}

/** The run's state, or null for a Mooring run the World did not create. */
export function stateFromContext(context: ValueObject, bytes: BytesEncoding): RunState | null {
  const member = context[STATE_MEMBER];
  if (member === undefined || member === null) return null;
  return decodeValue(member, bytes) as RunState;
}

export function isTerminalRunStatus(status: WorldRunStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}

export function isTerminalStepStatus(status: WorldStepStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}

/**
 * Statements of signed waitpoints (SPEC E25; migration 0010): the tenant's signing secrets and its
 * waitpoints. The token itself is never stored: a waitpoint keeps its fingerprint.
 */
import { loadSql } from "../statements.js";

/** A secret of the tenant; `valid_until` is null while it is the one that signs. */
export interface WaitpointSecretRow {
  readonly kid: string;
  readonly secret: string;
  readonly valid_until: number | null;
}

/** What a signal through a token needs of its waitpoint (SELECT_WAITPOINT). */
export interface WaitpointRow {
  readonly seq: number;
  readonly task_seq: number;
  readonly key: string;
  /** The signal the token delivered; null until it did. */
  readonly signal_id: string | null;
}

/** A waitpoint as listed (LIST_WAITPOINTS), its state computed at the read's now. */
export interface WaitpointListRow {
  readonly id: string;
  readonly key: string;
  readonly kid: string;
  readonly fingerprint: string;
  readonly expires_at: number;
  readonly created_at: number;
  readonly signal_id: string | null;
  readonly delivered_at: number | null;
  readonly state: "pending" | "delivered" | "expired";
}

export const CURRENT_WAITPOINT_SECRET = loadSql("current-waitpoint-secret");
export const SELECT_WAITPOINT_SECRET = loadSql("select-waitpoint-secret");
export const INSERT_WAITPOINT_SECRET = loadSql("insert-waitpoint-secret");
export const LIVE_WAITPOINT_SECRETS = loadSql("live-waitpoint-secrets");
export const RETIRE_WAITPOINT_SECRET = loadSql("retire-waitpoint-secret");
export const DELETE_SPENT_WAITPOINT_SECRETS = loadSql("delete-spent-waitpoint-secrets");
export const INSERT_WAITPOINT = loadSql("insert-waitpoint");
export const SELECT_WAITPOINT = loadSql("select-waitpoint");
export const MARK_WAITPOINT_DELIVERED = loadSql("mark-waitpoint-delivered");
export const LIST_WAITPOINTS = loadSql("list-waitpoints");

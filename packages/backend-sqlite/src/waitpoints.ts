/**
 * One tenant's signed waitpoints (SPEC E25): its signing secrets and its waitpoints. `@mooring/core`
 * mints, parses and judges the tokens; this keeps what the store must (the secrets, never handed
 * out, and per waitpoint its fingerprint, never the token). Every method runs inside the caller's
 * `BEGIN IMMEDIATE` transaction: the write lock serializes first-secret creation and rotations
 * across connections and processes, and a token is judged against the secrets as they are when
 * its signal is delivered. The engine fences `createWaitpoint` and delivers the signal.
 */
import {
  type CreatedWaitpoint,
  type CreateWaitpointInput,
  graceEnd,
  newId,
  newWaitpointSecret,
  parseWaitpointToken,
  type RotatedWaitpointSecret,
  signWaitpointToken,
  type StoredWaitpointSecret,
  type WaitpointInfo,
  type WaitpointSecret,
  waitpointFingerprint,
  verifyWaitpointToken,
  waitpointRefusedError,
} from "@mooring/core";
import type { TaskRow } from "./sql/engine.js";
import {
  CURRENT_WAITPOINT_SECRET,
  DELETE_SPENT_WAITPOINT_SECRETS,
  INSERT_WAITPOINT,
  INSERT_WAITPOINT_SECRET,
  LIST_WAITPOINTS,
  LIVE_WAITPOINT_SECRETS,
  MARK_WAITPOINT_DELIVERED,
  RETIRE_WAITPOINT_SECRET,
  SELECT_WAITPOINT,
  SELECT_WAITPOINT_SECRET,
  type WaitpointListRow,
  type WaitpointRow,
  type WaitpointSecretRow,
} from "./sql/waitpoints.js";
import type { StatementCache } from "./statements.js";

export class TenantWaitpoints {
  readonly #statements: StatementCache;
  readonly #tenant: string;

  constructor(statements: StatementCache, tenant: string) {
    this.#statements = statements;
    this.#tenant = tenant;
  }

  /** Issues a waitpoint of `task`, already fenced, signed with the tenant's current secret. */
  create(task: TaskRow, input: CreateWaitpointInput, now: number): CreatedWaitpoint {
    const secret = this.#currentSecret(now);
    const waitpointId = newId(now);
    const expiresAt = now + input.expiresInMs;
    const token = signWaitpointToken({ tenantId: this.#tenant, taskId: task.id, key: input.key, expiresAt, waitpointId }, secret);
    this.#statements.run(INSERT_WAITPOINT, this.#tenant, waitpointId, task.seq, input.key, secret.kid, waitpointFingerprint(token), expiresAt, now);
    return { waitpointId, token, expiresAt };
  }

  /**
   * The waitpoint `token` names, once the token verifies at `now` (core's checks, then the
   * waitpoint's existence). @throws UNAUTHORIZED with the reason it does not.
   */
  verified(token: string, now: number): WaitpointRow {
    const parsed = parseWaitpointToken(token);
    const secret = parsed && this.#statements.one<WaitpointSecretRow>(SELECT_WAITPOINT_SECRET, this.#tenant, parsed.kid);
    const { claims } = verifyWaitpointToken(parsed, this.#tenant, secret ? storedSecret(secret) : null, now);
    const waitpoint = this.#statements.one<WaitpointRow>(SELECT_WAITPOINT, this.#tenant, claims.waitpointId);
    if (!waitpoint) throw waitpointRefusedError("unknown_waitpoint");
    return waitpoint;
  }

  /** Records the signal the waitpoint delivered: later signals through its token are repeats. */
  delivered(waitpoint: WaitpointRow, signalId: string, now: number): void {
    this.#statements.run(MARK_WAITPOINT_DELIVERED, signalId, now, waitpoint.seq);
  }

  /** The task's waitpoints in creation order, with their state at `now`. */
  list(task: TaskRow, now: number): WaitpointInfo[] {
    return this.#statements.all<WaitpointListRow>(LIST_WAITPOINTS, now, task.seq).map((row) => ({
      waitpointId: row.id,
      taskId: task.id,
      key: row.key,
      kid: row.kid,
      fingerprint: row.fingerprint,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
      state: row.state,
      signalId: row.signal_id,
      deliveredAt: row.delivered_at,
    }));
  }

  /**
   * Retires every secret that still verifies to its grace end (never later than an earlier
   * rotation allowed), forgets those past theirs, and makes a new secret the one that signs.
   */
  rotate(graceMs: number, now: number): RotatedWaitpointSecret {
    const live = this.#statements.all<Pick<WaitpointSecretRow, "kid" | "valid_until">>(LIVE_WAITPOINT_SECRETS, this.#tenant, now);
    for (const secret of live) {
      this.#statements.run(RETIRE_WAITPOINT_SECRET, graceEnd(secret.valid_until, now, graceMs), this.#tenant, secret.kid);
    }
    this.#statements.run(DELETE_SPENT_WAITPOINT_SECRETS, this.#tenant, now);
    const previousKid = live.find((secret) => secret.valid_until === null)?.kid ?? null;
    const { kid } = this.#insertSecret(now);
    return { kid, previousKid, graceUntil: previousKid === null ? null : now + graceMs };
  }

  /** The secret that signs, created on the tenant's first use. */
  #currentSecret(now: number): WaitpointSecret {
    return this.#statements.one<WaitpointSecretRow>(CURRENT_WAITPOINT_SECRET, this.#tenant) ?? this.#insertSecret(now);
  }

  #insertSecret(now: number): WaitpointSecret {
    const secret = newWaitpointSecret();
    this.#statements.run(INSERT_WAITPOINT_SECRET, this.#tenant, secret.kid, secret.secret, now);
    return secret;
  }
}

function storedSecret(row: WaitpointSecretRow): StoredWaitpointSecret {
  return { kid: row.kid, secret: row.secret, validUntil: row.valid_until };
}

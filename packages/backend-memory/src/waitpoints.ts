/**
 * One tenant's waitpoint secrets and waitpoints (SPEC E25). The token is minted and judged by
 * `@mooring/core`; this book keeps what the store must: the secrets (never handed out), and per
 * waitpoint its task, key, kid, the token's fingerprint, its expiry and, once delivered, its signal.
 * The task state machine (tasks.ts) fences `createWaitpoint` and delivers the signal.
 */
import {
  graceEnd,
  newWaitpointSecret,
  type RotatedWaitpointSecret,
  type StoredWaitpointSecret,
  type WaitpointInfo,
} from "@mooring/core";

/** A waitpoint as the store holds it: its listing without the computed state. */
export interface StoredWaitpoint extends Omit<WaitpointInfo, "state" | "signalId" | "deliveredAt"> {
  signalId: string | null;
  deliveredAt: number | null;
}

export class WaitpointBook {
  /** kid → secret; the one whose `validUntil` is null signs. */
  readonly #secrets = new Map<string, StoredWaitpointSecret>();
  #currentKid: string | null = null;
  readonly #waitpoints = new Map<string, StoredWaitpoint>();
  /** task id → its waitpoints in creation order. */
  readonly #byTask = new Map<string, StoredWaitpoint[]>();

  /** The secret that signs, created on first use. */
  currentSecret(): StoredWaitpointSecret {
    const current = this.#currentKid === null ? undefined : this.#secrets.get(this.#currentKid);
    if (current) return current;
    const created = { ...newWaitpointSecret(), validUntil: null };
    this.#secrets.set(created.kid, created);
    this.#currentKid = created.kid;
    return created;
  }

  secret(kid: string): StoredWaitpointSecret | null {
    return this.#secrets.get(kid) ?? null;
  }

  add(waitpoint: StoredWaitpoint): void {
    this.#waitpoints.set(waitpoint.waitpointId, waitpoint);
    const list = this.#byTask.get(waitpoint.taskId);
    if (list) list.push(waitpoint);
    else this.#byTask.set(waitpoint.taskId, [waitpoint]);
  }

  get(waitpointId: string): StoredWaitpoint | null {
    return this.#waitpoints.get(waitpointId) ?? null;
  }

  list(taskId: string, now: number): WaitpointInfo[] {
    return (this.#byTask.get(taskId) ?? []).map((waitpoint) => ({ ...waitpoint, state: waitpointState(waitpoint, now) }));
  }

  /** Retires every secret still valid to `graceEnd`, forgets the expired, and makes a new one sign. */
  rotate(graceMs: number, now: number): RotatedWaitpointSecret {
    const previousKid = this.#currentKid;
    for (const [kid, secret] of this.#secrets) {
      if (secret.validUntil !== null && secret.validUntil <= now) this.#secrets.delete(kid);
      else this.#secrets.set(kid, { ...secret, validUntil: graceEnd(secret.validUntil, now, graceMs) });
    }
    this.#currentKid = null;
    const { kid } = this.currentSecret();
    return { kid, previousKid, graceUntil: previousKid === null ? null : now + graceMs };
  }
}

function waitpointState(waitpoint: StoredWaitpoint, now: number): WaitpointInfo["state"] {
  if (waitpoint.signalId !== null) return "delivered";
  return now >= waitpoint.expiresAt ? "expired" : "pending";
}

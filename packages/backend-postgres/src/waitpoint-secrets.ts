/**
 * Each tenant's waitpoint secrets (SPEC E25), kept in the tenant's rows of `waitpoint_secrets`:
 * the current one signs new tokens, retired ones verify until the end of their grace. Secrets are
 * made here with core's `newWaitpointSecret` and leave this module only to sign or verify; no
 * call returns one and no error carries one.
 *
 * Every process on the schema shares them, so creating the first secret and rotating take turns
 * on an advisory lock per tenant: shared while a waitpoint is issued, exclusive while a rotation
 * runs (see waitpoint-secrets-lock).
 */
import { graceEnd, newWaitpointSecret, type RotatedWaitpointSecret, type StoredWaitpointSecret, type WaitpointSecret } from "@mooring/core";
import type { BackendContext } from "./context.js";
import type { Queryable } from "./database.js";

/** Takes the tenant's secret lock for the rest of the transaction; returns the transaction's now. */
async function lockSecrets(tx: Queryable, context: BackendContext, tenantId: string, exclusive: boolean, now: number | null): Promise<number> {
  const [row] = await tx.query<{ now: number }>("waitpoint-secrets-lock", [context.waitpointLockScope, tenantId, exclusive, now]);
  if (!row) throw new Error("waitpoint-secrets-lock returned no row");
  return row.now;
}

/**
 * The secret that signs the tenant's new tokens, made on first use. Another process's first call
 * may make it at the same time: the loser's insert waits for the winner's commit, then finds the
 * winner's secret, so both sign with the same one.
 */
export async function currentWaitpointSecret(tx: Queryable, context: BackendContext, tenantId: string, now: number): Promise<WaitpointSecret> {
  await lockSecrets(tx, context, tenantId, false, now);
  const read = async (): Promise<WaitpointSecret | undefined> => (await tx.query<WaitpointSecret>("waitpoint-secret-current", [tenantId]))[0];
  const current = await read();
  if (current) return current;
  const fresh = newWaitpointSecret();
  const created = await tx.query("waitpoint-secret-create", [now, tenantId, fresh.kid, fresh.secret]);
  if (created.length > 0) return fresh;
  const winner = await read();
  if (!winner) throw new Error("a waitpoint secret that refused the insert is not there");
  return winner;
}

/** The tenant's secret under `kid` as the transaction sees it, and the transaction's now. */
export async function storedWaitpointSecret(
  tx: Queryable,
  context: BackendContext,
  tenantId: string,
  kid: string | null,
): Promise<{ readonly now: number; readonly secret: StoredWaitpointSecret | null }> {
  const [row] = await tx.query<{ now: number; secret: string | null; valid_until: number | null }>("waitpoint-secret-get", [context.db.nowParam(), tenantId, kid]);
  if (!row) throw new Error("waitpoint-secret-get returned no row");
  const secret = kid === null || row.secret === null ? null : { kid, secret: row.secret, validUntil: row.valid_until };
  return { now: row.now, secret };
}

/**
 * Retires every secret in force to the end of its grace (`graceEnd`: never later than an earlier
 * rotation allowed), removes those past theirs, and makes a new one current. Run in the caller's
 * transaction, under the exclusive lock, so concurrent rotations leave exactly one current secret.
 */
export async function rotateWaitpointSecrets(tx: Queryable, context: BackendContext, tenantId: string, graceMs: number): Promise<RotatedWaitpointSecret> {
  const now = await lockSecrets(tx, context, tenantId, true, context.db.nowParam());
  const inForce = await tx.query<{ kid: string; valid_until: number | null }>("waitpoint-secrets-in-force", [now, tenantId]);
  const previousKid = inForce.find((secret) => secret.valid_until === null)?.kid ?? null;
  await tx.query("waitpoint-secrets-retire", [now, tenantId, inForce.map((secret) => secret.kid), inForce.map((secret) => graceEnd(secret.valid_until, now, graceMs))]);
  const fresh = newWaitpointSecret();
  const created = await tx.query("waitpoint-secret-create", [now, tenantId, fresh.kid, fresh.secret]);
  if (created.length === 0) throw new Error("a rotation found a current waitpoint secret after retiring it");
  return { kid: fresh.kid, previousKid, graceUntil: previousKid === null ? null : now + graceMs };
}

/**
 * Lease ids (SPEC T4): the secret half of a lease, made in one place so that every backend grants
 * ids of the same strength. The Redis backend makes them in TypeScript too and hands them to its
 * scripts, since a script has no secure random source.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

/** Random bytes per lease id: 128 bits, above T4's floor of 96. */
export const LEASE_ID_BYTES = 16;

/**
 * CSPRNG output drawn ahead, as Node's own `crypto.randomUUID()` does: one `randomBytes` call costs
 * about 5 µs whatever its size, which a drain of single-task claims pays on every lease. Each byte
 * is handed out once; a lease id is 16 fresh bytes from the pool. @see SPEC T4
 */
const POOL_BYTES = LEASE_ID_BYTES * 256;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** A new lease id: `LEASE_ID_BYTES` bytes from the CSPRNG, base64url (22 characters). @see SPEC T4 */
export function newLeaseId(): string {
  if (poolOffset + LEASE_ID_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const id = pool.toString("base64url", poolOffset, poolOffset + LEASE_ID_BYTES);
  pool.fill(0, poolOffset, poolOffset + LEASE_ID_BYTES);
  poolOffset += LEASE_ID_BYTES;
  return id;
}

/** `count` new lease ids, for a claim that may grant up to `count` leases. @see SPEC T4 */
export function newLeaseIds(count: number): string[] {
  return Array.from({ length: count }, () => newLeaseId());
}

/**
 * Whether a presented lease id is the stored one, compared in constant time for ids of equal
 * length (a guesser learns nothing from how long a mismatch took). A stored id of null (a lease
 * granted before the store kept lease ids) matches nothing. @see SPEC T4
 */
export function leaseIdsEqual(presented: string, stored: string | null): boolean {
  if (stored === null) return false;
  const left = Buffer.from(presented, "utf8");
  const right = Buffer.from(stored, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

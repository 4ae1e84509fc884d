/**
 * Lease ids (SPEC T4): the secret half of a lease, made in one place so that every backend grants
 * ids of the same strength. The Redis backend makes them in TypeScript too and hands them to its
 * scripts, since a script has no secure random source.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

/** Random bytes per lease id: 128 bits, above T4's floor of 96. */
export const LEASE_ID_BYTES = 16;

/** A new lease id: `LEASE_ID_BYTES` bytes from the CSPRNG, base64url (22 characters). @see SPEC T4 */
export function newLeaseId(): string {
  return randomBytes(LEASE_ID_BYTES).toString("base64url");
}

/**
 * `count` new lease ids, for a claim that may grant up to `count` leases, drawn in one call to the
 * CSPRNG: a claim of 1,000 pays for one draw, not a thousand. @see SPEC T4
 */
export function newLeaseIds(count: number): string[] {
  const bytes = randomBytes(count * LEASE_ID_BYTES);
  return Array.from({ length: count }, (_, index) => bytes.subarray(index * LEASE_ID_BYTES, (index + 1) * LEASE_ID_BYTES).toString("base64url"));
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

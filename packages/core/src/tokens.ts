/**
 * API token material (SPEC T3), shared so that every backend stores the same hash and no backend
 * ever keeps a plaintext.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const TOKEN_PREFIX = "mrt_";
/** 256 bits of entropy per token. */
const TOKEN_BYTES = 32;

/** A new plaintext token: a prefix that secret scanners can match, then 256 random bits. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString("base64url");
}

/** The SHA-256 of a token, hex. This, never the token, is what a backend stores and looks up. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Compares two hex hashes in constant time. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

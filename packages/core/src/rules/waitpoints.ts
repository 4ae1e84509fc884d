/**
 * Signed waitpoint tokens (SPEC E25), shared so that every backend mints and verifies the same
 * format: a token minted by one backend's process verifies in another's, and the kit can tamper
 * with a token's parts knowing where they are.
 *
 * A token is `mwp1.<kid>.<claims>.<mac>`: the key id of the tenant's secret that signed it, the
 * claims (tenant, task, key, expiry, waitpoint id) as base64url JSON, and the HMAC-SHA-256 of
 * everything before the last dot under that secret, base64url. Secrets are 256 random bits,
 * generated here, kept by the backend per tenant, and returned by no call.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { MooringError } from "../errors.js";

const TOKEN_VERSION = "mwp1";
const SECRET_BYTES = 32;
const KID_BYTES = 12;
const MAC_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The longest a waitpoint may live and a rotation's grace may last: a year. */
export const MAX_WAITPOINT_MS = 366 * 24 * 60 * 60 * 1000;

/** One signing secret of a tenant. `secret` is base64url; it never leaves the backend. */
export interface WaitpointSecret {
  readonly kid: string;
  readonly secret: string;
}

/** What a token asserts, covered by its MAC. */
export interface WaitpointClaims {
  readonly tenantId: string;
  readonly taskId: string;
  readonly key: string;
  readonly expiresAt: number;
  readonly waitpointId: string;
}

/** A token split into its parts; nothing in it is trusted until `waitpointMacValid` says so. */
export interface ParsedWaitpointToken {
  readonly kid: string;
  readonly claims: WaitpointClaims;
  /** The signed text: everything before the MAC. */
  readonly signed: string;
  readonly mac: Buffer;
}

/** Why a token was refused, in the order they are checked. */
export type WaitpointRefusal = "malformed" | "tenant" | "kid" | "signature" | "expired" | "unknown_waitpoint";

/** UNAUTHORIZED from `signal` with a token that does not verify (SPEC E25). */
export type WaitpointRefusalDetails = { readonly reason: WaitpointRefusal };

const REFUSAL_MESSAGES: Readonly<Record<WaitpointRefusal, string>> = {
  malformed: "the waitpoint token is not one this store issued (malformed)",
  tenant: "the waitpoint token belongs to another tenant than this view's",
  kid: "the waitpoint token's key id names no secret of this tenant that still verifies (unknown, or rotated out and its grace ended)",
  signature: "the waitpoint token's signature does not verify (forged or altered)",
  expired: "the waitpoint token has expired",
  unknown_waitpoint: "the waitpoint token names a waitpoint this tenant does not have",
};

/** The error for a refused token; it never carries the token. */
export function waitpointRefusedError(reason: WaitpointRefusal): MooringError {
  const details: WaitpointRefusalDetails = { reason };
  return new MooringError("UNAUTHORIZED", `${REFUSAL_MESSAGES[reason]}; nothing was delivered`, { details });
}

/** A fresh secret: 256 random bits and a random key id. */
export function newWaitpointSecret(): WaitpointSecret {
  return { kid: randomBytes(KID_BYTES).toString("base64url"), secret: randomBytes(SECRET_BYTES).toString("base64url") };
}

function mac(signed: string, secret: string): Buffer {
  return createHmac("sha256", Buffer.from(secret, "base64url")).update(signed, "utf8").digest();
}

/** Mints the token of `claims` under `secret`. */
export function signWaitpointToken(claims: WaitpointClaims, secret: WaitpointSecret): string {
  const body = Buffer.from(
    JSON.stringify({ t: claims.tenantId, k: claims.taskId, y: claims.key, e: claims.expiresAt, w: claims.waitpointId }),
    "utf8",
  ).toString("base64url");
  const signed = `${TOKEN_VERSION}.${secret.kid}.${body}`;
  return `${signed}.${mac(signed, secret.secret).toString("base64url")}`;
}

/** The token's parts, or null when it is not shaped like a token this module mints. */
export function parseWaitpointToken(token: string): ParsedWaitpointToken | null {
  const parts = token.split(".");
  if (parts.length !== 4) return null;
  const [version, kid, body, signature] = parts as [string, string, string, string];
  if (version !== TOKEN_VERSION || !BASE64URL.test(kid) || !BASE64URL.test(body) || !BASE64URL.test(signature)) return null;
  const macBytes = Buffer.from(signature, "base64url");
  if (macBytes.length !== MAC_BYTES) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null) return null;
  const { t, k, y, e, w } = raw as Record<string, unknown>;
  if (typeof t !== "string" || typeof k !== "string" || typeof y !== "string" || typeof w !== "string" || !Number.isSafeInteger(e)) return null;
  return { kid, claims: { tenantId: t, taskId: k, key: y, expiresAt: e as number, waitpointId: w }, signed: `${version}.${kid}.${body}`, mac: macBytes };
}

/** Whether the token's MAC is the one `secret` gives, compared in constant time. */
export function waitpointMacValid(token: ParsedWaitpointToken, secret: string): boolean {
  return timingSafeEqual(token.mac, mac(token.signed, secret));
}

/** The first 16 hex digits of the token's SHA-256: what listings show instead of the token. */
export function waitpointFingerprint(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex").slice(0, 16);
}

/** A secret as a backend keeps it: `validUntil` null while it is the one that signs. */
export interface StoredWaitpointSecret extends WaitpointSecret {
  readonly validUntil: number | null;
}

/**
 * The checks a token passes before its waitpoint is looked up, in order: its shape, the view's
 * tenant, a secret of that tenant under its kid that still verifies at `now`, its MAC, its expiry
 * (exclusive, like a lease's). Null when it passes. The caller runs this in the same transaction
 * or script that delivers, so a rotation or an expiry cannot slip between check and delivery.
 */
function judgeWaitpointToken(
  token: ParsedWaitpointToken | null,
  tenantId: string,
  secret: StoredWaitpointSecret | null,
  now: number,
): WaitpointRefusal | null {
  if (token === null) return "malformed";
  if (token.claims.tenantId !== tenantId) return "tenant";
  if (secret === null || (secret.validUntil !== null && secret.validUntil <= now)) return "kid";
  if (!waitpointMacValid(token, secret.secret)) return "signature";
  if (token.claims.expiresAt <= now) return "expired";
  return null;
}

/**
 * The token, once it passes `judgeWaitpointToken`'s checks (the caller looks up its waitpoint
 * next). @throws UNAUTHORIZED with the first check it fails, having written nothing.
 */
export function verifyWaitpointToken(
  token: ParsedWaitpointToken | null,
  tenantId: string,
  secret: StoredWaitpointSecret | null,
  now: number,
): ParsedWaitpointToken {
  const refusal = judgeWaitpointToken(token, tenantId, secret, now);
  if (refusal !== null) throw waitpointRefusedError(refusal);
  if (token === null) throw waitpointRefusedError("malformed");
  return token;
}

/**
 * When a rotation at `now` with `graceMs` ends a retired secret's validity: its own end when that
 * comes sooner, so a second rotation never extends an earlier grace.
 */
export function graceEnd(validUntil: number | null, now: number, graceMs: number): number {
  const end = now + graceMs;
  return validUntil === null ? end : Math.min(validUntil, end);
}

/**
 * Statements of the TenantStore and TokenStore (SPEC T2, T3). Tenant ids order by code point
 * (BINARY collation compares UTF-8 bytes). Tokens are found by the SHA-256 of the plaintext; the
 * plaintext is never stored.
 */
import { sql } from "./text.js";

export interface TenantRow {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly created_at: number;
  readonly updated_at: number;
}

export interface TokenRow {
  readonly id: string;
  readonly tenant: string;
  readonly name: string;
  readonly role: string;
  readonly hash: string;
  readonly created_at: number;
  readonly expires_at: number | null;
  readonly revoked_at: number | null;
}

/**
 * Create a tenant unless the id exists.
 * Parameters: id, name, status, created_at, updated_at. Returns: TenantRow, or none when the id exists.
 */
export const INSERT_TENANT = sql`
  INSERT INTO {{tenants}} (id, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (id) DO NOTHING
  RETURNING id, name, status, created_at, updated_at`;

/**
 * One tenant.
 * Parameters: id. Returns: TenantRow or none.
 */
export const SELECT_TENANT = sql`
  SELECT id, name, status, created_at, updated_at FROM {{tenants}} WHERE id = ?`;

/**
 * A page of tenants in id order.
 * Parameters: after id ('' for the first page), limit. Returns: TenantRow[].
 */
export const LIST_TENANTS = sql`
  SELECT id, name, status, created_at, updated_at FROM {{tenants}} WHERE id > ? ORDER BY id LIMIT ? + 0`;

/**
 * Change a tenant's name and status (null keeps the field).
 * Parameters: name, status, updated_at, id. Returns: TenantRow or none.
 */
export const UPDATE_TENANT = sql`
  UPDATE {{tenants}} SET name = coalesce(?, name), status = coalesce(?, status), updated_at = ? WHERE id = ?
  RETURNING id, name, status, created_at, updated_at`;

/**
 * Store a token's hash.
 * Parameters: id, tenant, name, role, hash, created_at, expires_at. Returns: nothing.
 */
export const INSERT_TOKEN = sql`
  INSERT INTO {{tokens}} (id, tenant, name, role, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`;

/**
 * The token with a hash.
 * Parameters: hash. Returns: TokenRow or none.
 */
export const SELECT_TOKEN_BY_HASH = sql`
  SELECT id, tenant, name, role, hash, created_at, expires_at, revoked_at FROM {{tokens}} WHERE hash = ?`;

/**
 * Revoke a tenant's unrevoked token.
 * Parameters: revoked_at, tenant, id. Returns: nothing (changes: 1 when revoked now).
 */
export const REVOKE_TOKEN = sql`
  UPDATE {{tokens}} SET revoked_at = ? WHERE tenant = ? AND id = ? AND revoked_at IS NULL`;

/**
 * A tenant's tokens, oldest first (without hashes).
 * Parameters: tenant. Returns: TokenRow[] (hash column omitted).
 */
export const LIST_TOKENS = sql`
  SELECT id, tenant, name, role, created_at, expires_at, revoked_at FROM {{tokens}} WHERE tenant = ? ORDER BY seq`;

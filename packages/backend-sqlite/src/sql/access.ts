/**
 * Statements of the TenantStore and TokenStore (SPEC T2, T3). Tenant ids order by code point
 * (BINARY collation compares UTF-8 bytes). Tokens are found by the SHA-256 of the plaintext; the
 * plaintext is never stored.
 */
import { loadSql } from "../statements.js";

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

export const INSERT_TENANT = loadSql("insert-tenant");
export const SELECT_TENANT = loadSql("select-tenant");
export const LIST_TENANTS = loadSql("list-tenants");
export const UPDATE_TENANT = loadSql("update-tenant");
export const INSERT_TOKEN = loadSql("insert-token");
export const SELECT_TOKEN_BY_HASH = loadSql("select-token-by-hash");
export const REVOKE_TOKEN = loadSql("revoke-token");
export const LIST_TOKENS = loadSql("list-tokens");

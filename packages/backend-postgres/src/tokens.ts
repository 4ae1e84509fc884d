/**
 * API tokens (SPEC T3). Only `hashToken(token)` (SHA-256) is stored; `validate` looks the hash up
 * through its unique index and compares it again in constant time, whatever view asks.
 */
import { generateToken, hashesEqual, hashToken, newId, type CreatedToken, type TokenInfo, type TokenInput, type TokenStore, type ValidatedToken } from "@mooring/core";
import type { BackendContext } from "./context.js";

interface TokenRow {
  id: string;
  tenant_id: string;
  name: string;
  role: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

function tokenInfo(row: TokenRow): TokenInfo {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export class PostgresTokenStore implements TokenStore {
  readonly #context: BackendContext;
  readonly #tenantId: string;

  constructor(context: BackendContext, tenantId: string) {
    this.#context = context;
    this.#tenantId = tenantId;
  }

  async create(input: TokenInput): Promise<CreatedToken> {
    const { db } = this.#context;
    const token = generateToken();
    const [row] = await db.query<TokenRow>("token-insert", [
      db.nowParam(),
      newId(db.nowParam() ?? Date.now()),
      this.#tenantId,
      input.name,
      input.role,
      hashToken(token),
      input.expiresAt ?? null,
    ]);
    if (!row) throw new Error("token-insert returned no row");
    return { token, info: tokenInfo(row) };
  }

  async validate(token: string): Promise<ValidatedToken | null> {
    const { db } = this.#context;
    const hash = hashToken(token);
    const [row] = await db.query<TokenRow & { hash: string }>("token-find", [db.nowParam(), hash], "safe");
    if (!row || !hashesEqual(row.hash, hash)) return null;
    return { id: row.id, tenantId: row.tenant_id, name: row.name, role: row.role, expiresAt: row.expires_at };
  }

  async revoke(id: string): Promise<boolean> {
    const { db } = this.#context;
    const rows = await db.query("token-revoke", [db.nowParam(), this.#tenantId, id]);
    return rows.length > 0;
  }

  async list(): Promise<TokenInfo[]> {
    const rows = await this.#context.db.query<TokenRow>("tokens-list", [this.#tenantId], "safe");
    return rows.map(tokenInfo);
  }
}

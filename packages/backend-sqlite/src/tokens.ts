/**
 * API tokens (SPEC T3). The plaintext is returned once by `create` and never stored: the table
 * holds `hashToken(token)` (SHA-256), looked up by hash and then compared in constant time.
 * `validate` answers on any view; `revoke` and `list` see the view's tenant only.
 */
import { type CreatedToken, generateToken, hashesEqual, hashToken, newId, type TokenInfo, type TokenInput, type TokenStore, type ValidatedToken } from "@mooring/core";
import type { SqliteContext } from "./context.js";
import { INSERT_TOKEN, LIST_TOKENS, REVOKE_TOKEN, SELECT_TOKEN_BY_HASH, type TokenRow } from "./sql/access.js";

export class SqliteTokens implements TokenStore {
  readonly #context: SqliteContext;
  readonly #tenant: string;

  constructor(context: SqliteContext, tenant: string) {
    this.#context = context;
    this.#tenant = tenant;
  }

  async create(input: TokenInput): Promise<CreatedToken> {
    const now = this.#context.connection.clock.now();
    const token = generateToken();
    const id = newId(now);
    const expiresAt = input.expiresAt ?? null;
    this.#context.statements.run(INSERT_TOKEN, id, this.#tenant, input.name, input.role, hashToken(token), now, expiresAt);
    return { token, info: { id, tenantId: this.#tenant, name: input.name, role: input.role, createdAt: now, expiresAt, revokedAt: null } };
  }

  async validate(token: string): Promise<ValidatedToken | null> {
    const hash = hashToken(token);
    const row = this.#context.statements.one<TokenRow>(SELECT_TOKEN_BY_HASH, hash);
    if (!row || !hashesEqual(row.hash, hash)) return null;
    if (row.revoked_at !== null) return null;
    if (row.expires_at !== null && this.#context.connection.clock.now() >= row.expires_at) return null;
    return { id: row.id, tenantId: row.tenant, name: row.name, role: row.role, expiresAt: row.expires_at };
  }

  async revoke(id: string): Promise<boolean> {
    return this.#context.statements.run(REVOKE_TOKEN, this.#context.connection.clock.now(), this.#tenant, id) === 1;
  }

  async list(): Promise<TokenInfo[]> {
    return this.#context.statements.all<Omit<TokenRow, "hash">>(LIST_TOKENS, this.#tenant).map((row) => ({
      id: row.id,
      tenantId: row.tenant,
      name: row.name,
      role: row.role,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at,
    }));
  }
}

/**
 * API tokens (SPEC T3) under the global base `{<prefix>}`, because `validate` answers for any
 * tenant: `tok:<id>` holds the record with the SHA-256 of the secret, `tokh:<hash>` finds it by
 * hash, `toks:<tenant>` lists a tenant's tokens in creation order. The plaintext exists only in
 * the value `create` returns.
 */
import {
  type CreatedToken,
  generateToken,
  hashesEqual,
  hashToken,
  newId,
  type TokenInfo,
  type TokenInput,
  type TokenStore,
  type ValidatedToken,
} from "@mooring/core";
import { asArray, asNullableNumber, asNumber, asString } from "./codec.js";
import type { RedisContext } from "./context.js";
import { encodeId } from "./keys.js";

function decodeInfo(reply: unknown): TokenInfo {
  const f = asArray(reply, "token");
  return {
    id: asString(f[0], "token.id"),
    tenantId: asString(f[1], "token.tenantId"),
    name: asString(f[2], "token.name"),
    role: asString(f[3], "token.role"),
    createdAt: asNumber(f[4], "token.createdAt"),
    expiresAt: asNullableNumber(f[5], "token.expiresAt"),
    revokedAt: asNullableNumber(f[6], "token.revokedAt"),
  };
}

export class RedisTokenStore implements TokenStore {
  readonly #ctx: RedisContext;
  readonly #tenantId: string;

  constructor(ctx: RedisContext, tenantId: string) {
    this.#ctx = ctx;
    this.#tenantId = tenantId;
  }

  async create(input: TokenInput): Promise<CreatedToken> {
    const token = generateToken();
    const id = newId(this.#ctx.localNow());
    const reply = await this.#ctx.run("token-create", this.#ctx.keys.global, [
      this.#ctx.now(),
      id,
      encodeId(id),
      this.#tenantId,
      encodeId(this.#tenantId),
      input.name,
      input.role,
      input.expiresAt === undefined ? "" : String(input.expiresAt),
      hashToken(token),
    ]);
    return { token, info: decodeInfo(reply) };
  }

  async validate(token: string): Promise<ValidatedToken | null> {
    const hash = hashToken(token);
    const reply = await this.#ctx.run("token-validate", this.#ctx.keys.global, [this.#ctx.now(), hash]);
    if (reply === null) return null;
    const f = asArray(reply, "token-validate");
    if (!hashesEqual(asString(f[5], "token.hash"), hash)) return null;
    return {
      id: asString(f[0], "token.id"),
      tenantId: asString(f[1], "token.tenantId"),
      name: asString(f[2], "token.name"),
      role: asString(f[3], "token.role"),
      expiresAt: asNullableNumber(f[4], "token.expiresAt"),
    };
  }

  async revoke(id: string): Promise<boolean> {
    const reply = await this.#ctx.run("token-revoke", this.#ctx.keys.global, [this.#ctx.now(), encodeId(id), this.#tenantId]);
    return asNumber(reply, "token-revoke") === 1;
  }

  async list(): Promise<TokenInfo[]> {
    const reply = asArray(await this.#ctx.run("token-list", this.#ctx.keys.global, [encodeId(this.#tenantId)]), "token-list");
    return reply.map(decodeInfo);
  }
}

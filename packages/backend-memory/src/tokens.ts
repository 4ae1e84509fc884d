/**
 * TokenStore of the memory backend (SPEC T3). A token's plaintext is returned once by `create` and
 * never kept, not even as a map key: the registry holds `hashToken(token)` only, looks a token up
 * by its hash and confirms the match with a constant-time comparison (`hashesEqual`).
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
import type { FacetContext } from "./context.js";

interface StoredToken {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly role: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  revokedAt: number | null;
  /** SHA-256 of the token, hex. */
  readonly hash: string;
}

/** The tokens of one namespace: validation is global, listing and revoking per tenant. */
export class TokenRegistry {
  readonly byHash = new Map<string, StoredToken>();
  readonly byId = new Map<string, StoredToken>();
  /** tenant → tokens, oldest first. */
  readonly byTenant = new Map<string, StoredToken[]>();
}

export class MemoryTokenStore implements TokenStore {
  readonly #context: FacetContext;
  readonly #registry: TokenRegistry;

  constructor(context: FacetContext, registry: TokenRegistry) {
    this.#context = context;
    this.#registry = registry;
  }

  async create(input: TokenInput): Promise<CreatedToken> {
    const now = this.#context.clock.now();
    const token = generateToken();
    const stored: StoredToken = {
      id: newId(now),
      tenantId: this.#context.tenantId,
      name: input.name,
      role: input.role,
      createdAt: now,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      hash: hashToken(token),
    };
    this.#registry.byHash.set(stored.hash, stored);
    this.#registry.byId.set(stored.id, stored);
    const list = this.#registry.byTenant.get(stored.tenantId);
    if (list) list.push(stored);
    else this.#registry.byTenant.set(stored.tenantId, [stored]);
    return { token, info: toInfo(stored) };
  }

  async validate(token: string): Promise<ValidatedToken | null> {
    const hash = hashToken(token);
    const stored = this.#registry.byHash.get(hash);
    if (!stored || !hashesEqual(stored.hash, hash)) return null;
    if (stored.revokedAt !== null) return null;
    if (stored.expiresAt !== null && this.#context.clock.now() >= stored.expiresAt) return null;
    return { id: stored.id, tenantId: stored.tenantId, name: stored.name, role: stored.role, expiresAt: stored.expiresAt };
  }

  async revoke(id: string): Promise<boolean> {
    const stored = this.#registry.byId.get(id);
    if (!stored || stored.tenantId !== this.#context.tenantId || stored.revokedAt !== null) return false;
    stored.revokedAt = this.#context.clock.now();
    return true;
  }

  async list(): Promise<TokenInfo[]> {
    return (this.#registry.byTenant.get(this.#context.tenantId) ?? []).map(toInfo);
  }
}

/** What callers may see of a token: never its secret or its hash. */
function toInfo(stored: StoredToken): TokenInfo {
  return {
    id: stored.id,
    tenantId: stored.tenantId,
    name: stored.name,
    role: stored.role,
    createdAt: stored.createdAt,
    expiresAt: stored.expiresAt,
    revokedAt: stored.revokedAt,
  };
}

/**
 * The key design (README "Key design"). Every key starts with a Redis Cluster hash tag:
 *
 * - `{<prefix>}` — the global base: the tenant listing index and the API tokens (validated from
 *   any tenant);
 * - `{<prefix>:<tenant>}` — a tenant's base: its runs, event logs, cache, tasks, queues and
 *   signals, and its tenant record. Every state transition touches one tenant only, so every
 *   key one script touches hashes to the tenant's slot, and tenants spread across the shards.
 *
 * User-supplied strings (tenant ids, queue names, run ids, keys, …) appear in key names only
 * base64url-encoded: that alphabet has no `{`, `}`, `:`, space or glob character, so no id can
 * move a key to another slot, collide with another key, or match another key's pattern.
 */
import { assertNamespace, MooringError } from "@mooring/core";

/** A namespace that appears in keys as written: nothing a glob, a hash tag or a separator uses. */
const PLAIN_PREFIX = /^[A-Za-z0-9_.-]+$/;

/**
 * The version of the key layout `migrate()` records under `{<prefix>}:schema`. Layout 2: a task's
 * order is stored as its 16-digit sort key, queues keep no all-queued set and tenants no tenant-wide
 * lease set (queue bounds in `:lq` instead), and completed tasks are counted by subtraction.
 * Layout 3 adds each tenant's index of its tasks in enqueue order (`:tx`) and of its queues by
 * name (`:qn`), for the operator lists (SPEC E26); `migrate()` upgrades layout 2 in place
 * (layout.ts).
 */
export const SCHEMA_VERSION = 3;

/** The oldest layout `migrate()` upgrades in place. */
export const UPGRADABLE_SCHEMA_VERSION = 2;

/** The prefix when none is given. */
export const DEFAULT_PREFIX = "mooring";

/** base64url of the UTF-8 bytes: injective, and safe inside a key and a hash tag. */
export function encodeId(value: string): string {
  return Buffer.from(value, "utf8").toString("base64url");
}

export function decodeId(encoded: string): string {
  return Buffer.from(encoded, "base64url").toString("utf8");
}

/**
 * The key prefix of a namespace (core's one namespace rule, `assertNamespace`): the namespace
 * itself when it holds only `A-Za-z0-9_.-`, else `~` and the base64url of its bytes. `~` is in
 * neither alphabet, so the two forms never meet, and neither holds `{`, `}`, `:` or a glob.
 * @throws VALIDATION
 */
export function keyPrefixOf(namespace: string): string {
  try {
    assertNamespace(namespace, "prefix");
  } catch (error) {
    throw MooringError.is(error) ? error.withContext("redis", "createRedisBackend") : error;
  }
  return PLAIN_PREFIX.test(namespace) ? namespace : `~${encodeId(namespace)}`;
}

/**
 * The claim-order key of a priority: 17 decimal digits of 2^53 − priority, so that byte order is
 * descending priority for every safe integer (BigInt: 2^53 − p can need 54 bits).
 */
export function priorityKey(priority: number): string {
  return (2n ** 53n - BigInt(priority)).toString().padStart(17, "0");
}

/** The base keys of one prefix. */
export class KeySpace {
  readonly #prefix: string;

  /** @throws VALIDATION for a namespace core's rule rejects. */
  constructor(namespace: string) {
    this.#prefix = keyPrefixOf(namespace);
  }

  get prefix(): string {
    return this.#prefix;
  }

  /** `{<prefix>}`: tenant index and tokens. */
  get global(): string {
    return `{${this.#prefix}}`;
  }

  /** `{<prefix>:<base64url tenant>}`: everything of one tenant. */
  tenant(tenantId: string): string {
    return `{${this.#prefix}:${encodeId(tenantId)}}`;
  }

  /** The pub/sub channel of a tenant's task events and work hints (not a key). */
  channel(tenantId: string): string {
    return `${this.tenant(tenantId)}:ch`;
  }

  /** The tenant listing index (a sorted set of raw ids under the global base). */
  get tenantIndex(): string {
    return `${this.global}:tenants`;
  }

  /** The schema marker written by `migrate()`. */
  get schema(): string {
    return `${this.global}:schema`;
  }

  /** A SCAN pattern matching every key of this prefix and nothing of another valid prefix. */
  get pattern(): string {
    return `{${this.#prefix}[:}]*`;
  }
}

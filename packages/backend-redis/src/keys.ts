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
import { MooringError } from "@mooring/core";

/** Characters a prefix may hold: enough for names like `app.prod-2`, nothing a glob or tag uses. */
const PREFIX_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * The version of the key layout `migrate()` records under `{<prefix>}:schema`. Layout 2: a task's
 * order is stored as its 16-digit sort key, queues keep no all-queued set and tenants no tenant-wide
 * lease set (queue bounds in `:lq` instead), and completed tasks are counted by subtraction.
 */
export const SCHEMA_VERSION = 2;

/** The prefix when none is given. */
export const DEFAULT_PREFIX = "mooring";

/** base64url of the UTF-8 bytes: injective, and safe inside a key and a hash tag. */
export function encodeId(value: string): string {
  return Buffer.from(value, "utf8").toString("base64url");
}

export function decodeId(encoded: string): string {
  return Buffer.from(encoded, "base64url").toString("utf8");
}

/** @throws VALIDATION when `prefix` holds characters outside `[A-Za-z0-9_.-]` or is too long. */
export function assertPrefix(prefix: string): void {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new MooringError("VALIDATION", `prefix must be 1 to 100 characters of A-Z a-z 0-9 _ . -, got ${JSON.stringify(prefix)}`, {
      backend: "redis",
      operation: "createRedisBackend",
      details: { field: "prefix" },
    });
  }
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

  constructor(prefix: string) {
    assertPrefix(prefix);
    this.#prefix = prefix;
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

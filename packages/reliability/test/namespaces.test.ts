/**
 * One namespace rule on every backend (issue 14): core's `assertNamespace`, 1 to 63 UTF-8 bytes of
 * well-formed text without U+0000 (SPEC C1). Two namespaces a backend accepts must never be
 * stored as one: before this rule Postgres took "x\uD800" and "x\uDBFF" as one schema.
 *
 * No server is needed: the factories check the namespace before they connect, so a namespace the
 * rule accepts meets an unreachable server (UNAVAILABLE) and one it refuses is VALIDATION.
 */
import { createMemoryBackend } from "@mooring/backend-memory";
import { createPostgresBackend } from "@mooring/backend-postgres";
import { createRedisBackend } from "@mooring/backend-redis";
import { createSqliteBackend } from "@mooring/backend-sqlite";
import { type Backend, MooringError } from "@mooring/core";
import { describe, expect, it } from "vitest";

/** Nothing listens on port 1 of loopback: a connection attempt is refused at once. */
const UNREACHABLE_POSTGRES = "postgres://postgres@127.0.0.1:1/test";
const UNREACHABLE_REDIS = "redis://127.0.0.1:1";

const factories: Readonly<Record<string, (namespace: string) => Promise<Backend>>> = {
  memory: async (namespace) => createMemoryBackend({ namespace }),
  sqlite: async (namespace) => createSqliteBackend({ path: ":memory:", namespace }),
  postgres: (namespace) => createPostgresBackend({ connectionString: UNREACHABLE_POSTGRES, namespace }),
  redis: (namespace) => createRedisBackend({ url: UNREACHABLE_REDIS, namespace, connectTimeoutMs: 1_000 }),
};

const refused = {
  empty: "",
  "a lone high surrogate": "x\uD800",
  "another lone high surrogate": "x\uDBFF",
  "a lone low surrogate": "\uDC00x",
  "U+0000": "a\u0000b",
  "64 UTF-8 bytes": "é".repeat(32),
};

const accepted = {
  "plain text": "app",
  "a hash tag, a separator and a glob": "a}b:c*",
  "63 UTF-8 bytes": `${"é".repeat(31)}e`,
  "text beyond ASCII": "名前空間",
};

/** What opening `namespace` gives: "ok" (opened, then closed), or the MooringError code. */
async function outcome(open: (namespace: string) => Promise<Backend>, namespace: string): Promise<string> {
  try {
    await (await open(namespace)).close();
    return "ok";
  } catch (error) {
    if (!MooringError.is(error)) throw error;
    return error.code;
  }
}

describe.each(Object.entries(factories))("the namespace rule on %s", (_name, open) => {
  it.each(Object.entries(refused))("refuses %s with VALIDATION", async (_what, namespace) => {
    expect(await outcome(open, namespace)).toBe("VALIDATION");
  });

  it.each(Object.entries(accepted))("accepts %s", async (_what, namespace) => {
    expect(await outcome(open, namespace)).toMatch(/^(ok|UNAVAILABLE)$/);
  });
});

/**
 * The whole conformance kit on Postgres, nothing skipped (SPEC K1). Every check gets a schema of
 * its own (an emptied one this file used before, see `RecycledSchemas`); `connect()` opens another
 * backend on that schema, i.e. a separate pool, so the race checks (K3) run with true
 * parallelism between connections. Checks run a few at a time (`describe.concurrent`, at most
 * `maxConcurrency` of vitest.config.ts): they never share a schema.
 */
import { afterAll, describe, it } from "vitest";
import { describeConformance } from "@mooring/conformance";
import { createPostgresBackend } from "../src/index.js";
import { findTestServer } from "@mooring/testing/postgres";
import { RecycledSchemas } from "./recycled-schemas.js";

const { server, reason } = await findTestServer("conformance.test.ts");

if (server) {
  const schemas = new RecycledSchemas(server.url, "kit");
  afterAll(async () => {
    await schemas.dropAll();
    await server.stop();
  });
  describe.concurrent("kit", () => {
    describeConformance({
      name: "postgres",
      create: ({ clock, namespace }) =>
        schemas.open(namespace, (schema) => createPostgresBackend({ connectionString: server.url, schema, clock, poolSize: 3, pollIntervalMs: 200 })),
      // The model properties answer tens of thousands of reads each; on a 2-core machine that
      // other work shares, the heaviest (T1) may need more than the kit's default 120 s.
      timeoutMs: 300_000,
    });
  });
} else {
  it.skip(`postgres conformance: no Postgres server: ${reason}`, () => undefined);
}

/**
 * The whole conformance kit on Postgres, nothing skipped (SPEC K1). Every check gets its own
 * schema; `connect()` opens another backend on that schema, i.e. a separate pool, so the race
 * checks (K3) run with true parallelism between connections.
 */
import { afterAll } from "vitest";
import { describeConformance } from "@mooring/conformance";
import { createPostgresBackend } from "../src/index.js";
import { SchemaNames, serverForTests } from "./server.js";

const server = await serverForTests("conformance.test.ts");

if (server) {
  const schemas = new SchemaNames(server.url, "kit");
  afterAll(async () => {
    await schemas.dropAll();
    await server.stop();
  });
  describeConformance({
    name: "postgres",
    create: ({ clock, namespace }) =>
      createPostgresBackend({ connectionString: server.url, namespace: schemas.name(namespace), clock, poolSize: 4, pollIntervalMs: 200 }),
  });
} else {
  describeConformance({
    name: "postgres",
    create: () => Promise.reject(new Error("no Postgres server (see the warning above)")),
    only: [],
  });
}

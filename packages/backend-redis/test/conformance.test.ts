/**
 * The whole conformance kit on a standalone Redis (SPEC K1, section 9): every check, nothing
 * skipped. Each check gets its own prefix under this file's, and the file removes its keys after.
 */
import { describeConformance } from "@mooring/conformance";
import { afterAll, describe, it } from "vitest";
import { createRedisBackend } from "../src/index.js";
import { standaloneServer, testPrefix } from "@mooring/testing/redis";
import { removePrefixesStartingWith } from "./remove-keys.js";

const server = await standaloneServer();
const filePrefix = testPrefix("conf");

if ("skip" in server) {
  describe.skip(`redis conformance: ${server.skip}`, () => {
    it("needs a Redis server", () => undefined);
  });
} else {
  afterAll(async () => {
    await removePrefixesStartingWith(server.url, `${filePrefix}.`);
    await server.stop();
  });
  describeConformance({
    name: "redis",
    create: ({ clock, namespace }) => createRedisBackend({ url: server.url, prefix: `${filePrefix}.${namespace}`, clock }),
  });
}

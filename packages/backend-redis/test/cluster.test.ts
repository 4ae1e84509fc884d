/**
 * The whole conformance kit on a real three-master Redis Cluster (SPEC K1, section 9): every
 * check, nothing skipped, race checks with several clients. Every script's keys must hash to one
 * slot or the cluster refuses the script (CROSSSLOT), so this run is also the proof of the key
 * design. The cluster is `MOORING_REDIS_CLUSTER_URL`, else three ephemeral masters started for
 * this file and stopped after it.
 *
 * The model properties run a quarter of their runs here (docs/decisions.md, "Tests and CI"): the
 * cluster runs the very scripts conformance.test.ts runs at full depth on a standalone server, and
 * what only a cluster can break (a key outside the script's slot, a redirection, pub/sub across
 * nodes) fails on the first call that meets it. `MOORING_FC_RUNS` still scales them, and
 * `pnpm conformance` runs them in full.
 */
import { describeConformance } from "@mooring/conformance";
import { afterAll, beforeAll, describe, it } from "vitest";
import { createRedisBackend } from "../src/index.js";
import { type ClusterTarget, clusterAvailability, clusterServer } from "@mooring/testing/redis-cluster";
import { testPrefix } from "@mooring/testing/redis";
import { removePrefixesStartingWith } from "./remove-keys.js";

const availability = await clusterAvailability();
const filePrefix = testPrefix("cluster");
/** A quarter of the kit's 100 runs per property. */
const PROPERTY_RUNS = 25;

if ("skip" in availability) {
  describe.skip(`redis cluster conformance: ${availability.skip}`, () => {
    it("needs a Redis Cluster", () => undefined);
  });
} else {
  let cluster: ClusterTarget | null = null;
  beforeAll(async () => {
    cluster = await clusterServer();
  });
  afterAll(async () => {
    if (!cluster) return;
    await removePrefixesStartingWith(cluster.url, `${filePrefix}.`);
    await cluster.stop();
  });
  describeConformance({
    name: "redis-cluster",
    create: ({ clock, namespace }) => {
      if (!cluster) throw new Error("the cluster starts in beforeAll");
      return createRedisBackend({ cluster: { nodes: cluster.nodes }, prefix: `${filePrefix}.${namespace}`, clock });
    },
    numRuns: PROPERTY_RUNS,
  });
}

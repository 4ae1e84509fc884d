/**
 * The vendor's World suite on Redis Cluster: `MOORING_REDIS_CLUSTER_URL`, else three ephemeral
 * masters started for this file (the capability check needs the cluster while the file is
 * collected), under a prefix of its own.
 */
import { openNamespaceRemover } from "@mooring/backend-redis";
import { clusterAvailability, clusterServer } from "@mooring/testing/redis-cluster";
import { testPrefix } from "@mooring/testing/redis";
import { describeVendorSuite } from "./vendor-suite.js";

const availability = await clusterAvailability();
if ("skip" in availability) {
  await describeVendorSuite("redis-cluster", availability);
} else {
  const cluster = await clusterServer();
  const prefix = testPrefix("world");
  // Built as text: WHATWG URL cannot parse a cluster URL's list of hosts.
  await describeVendorSuite("redis-cluster", {
    url: `${cluster.url}${cluster.url.includes("?") ? "&" : "?"}prefix=${encodeURIComponent(prefix)}`,
    cleanUp: async () => {
      const remover = openNamespaceRemover(cluster.url);
      try {
        await remover.removeEveryStartingWith(prefix);
      } finally {
        await remover.close();
        await cluster.stop();
      }
    },
  });
}

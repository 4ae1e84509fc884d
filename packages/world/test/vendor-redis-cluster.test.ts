/**
 * The vendor's World suite on Redis Cluster: `MOORING_REDIS_CLUSTER_URL`, else three ephemeral
 * masters started for this file (the capability check needs the cluster while the file is
 * collected), under a prefix of its own.
 */
import { redisClusterStore } from "./support/stores.js";
import { describeVendorSuite } from "./vendor-suite.js";

await describeVendorSuite("redis-cluster", await redisClusterStore());

/**
 * The workload names, apart from their definitions (workloads.ts), so that the target contract
 * (targets/target.ts) can name workloads without importing the workloads that drive targets.
 */
export const WORKLOAD_IDS = [
  "enqueue",
  "enqueue-many",
  "claim-complete-1",
  "claim-complete-50",
  "append-events-1",
  "append-events-10",
  "kv-set",
  "kv-get",
  "claim-latency-shallow",
  "claim-latency-deep",
  "drain-c1",
  "drain-c24",
  "drain-c24-batch",
  "drain-c50",
  "drain-c50-batch",
  "fair-latency-k0",
  "fair-latency-k1",
  "fair-latency-k100",
  "fair-latency-k10000",
  "fair-drain-k0",
  "fair-drain-k1",
  "fair-drain-k100",
  "fair-drain-k10000",
] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

/**
 * The memory backend (`@mooring/backend-memory`) with the system clock, as an engine's unit tests
 * and single-process deployments use it.
 */
import { mooringSession } from "./mooring.js";
import type { TargetDefinition } from "./target.js";

export const memoryTarget: TargetDefinition = {
  name: "memory",
  backend: "memory",
  defaultConcurrency: 1,
  goals: { minClaimCompletePerSec: 100_000, maxDeepQueueLatencyRatio: 2 },
  describe: () => ({ clock: "system" }),
  async open() {
    // Imported here so that a run of other backends never loads this package.
    const { createMemoryBackend } = await import("@mooring/backend-memory");
    return mooringSession(await createMemoryBackend());
  },
};

import { defineConfig } from "vitest/config";
import { sourceConditions } from "../../vitest.shared.js";

export default defineConfig({
  ...sourceConditions,
  test: {
    ...sourceConditions.test,
    maxConcurrency: 1,
    // The scenarios run in real time with short leases and measure throughput: one file at a time,
    // so that they do not starve each other of the machine's two cores.
    fileParallelism: false,
  },
});

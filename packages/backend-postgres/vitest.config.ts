import { defineConfig } from "vitest/config";
import { sourceConditions } from "../../vitest.shared.js";

export default defineConfig({
  ...sourceConditions,
  test: {
    ...sourceConditions.test,
    // conformance.test.ts runs its checks concurrently (each in its own schema), this many at a
    // time: enough to keep the server and this process busy on 2 cores, few enough connections.
    maxConcurrency: 3,
  },
});

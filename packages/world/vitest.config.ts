// This package runs vitest 4 (the vendor suite, @workflow/world-testing, needs >= 4.1); the rest
// of the repository stays on vitest 3, so the shared settings of ../../vitest.shared.ts are
// restated here in vitest 4's terms: source conditions, hang detectors (never speed limits), one
// worker, so test files run one after another.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { withPromiseWithResolvers } from "./test/support/node-options.js";

const conditions = ["@mooring/source", "node"];
const HANG_DETECTOR_MS = 600_000;

// Node 20 has no Promise.withResolvers, which the vendor suite calls. NODE_OPTIONS reaches both
// the vitest workers (forked with this environment) and the app servers the suite spawns.
const nodeOptions = withPromiseWithResolvers(fileURLToPath(new URL(".", import.meta.url)), process.env.NODE_OPTIONS);
if (nodeOptions !== undefined) process.env.NODE_OPTIONS = nodeOptions;

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    testTimeout: HANG_DETECTOR_MS,
    hookTimeout: HANG_DETECTOR_MS,
    maxWorkers: 1,
    fileParallelism: false,
  },
});

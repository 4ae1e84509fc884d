// Workspace packages resolve to their TypeScript sources under test (the "@mooring/source"
// export condition), so `pnpm test` in a package never runs against a stale build.
import type { UserConfig } from "vitest/config";

// Only our condition and "node": vitest starts its workers with `--conditions` for each of these,
// and with "import" among them a CommonJS driver's `require("pg-pool")` would receive the ES module
// namespace instead of its class. Vite adds "import" or "require" per import by itself.
const conditions = ["@mooring/source", "node"];

/** Ten minutes: far beyond any test's length on a loaded 2-core machine. */
const HANG_DETECTOR_MS = 600_000;

export const sourceConditions: UserConfig = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    // Hang detectors, not speed limits: no test may fail because the machine is slow or busy (CI
    // runs on 2 cores beside other work), so the only real-time bound is one no slow run reaches.
    // Speed is measured by `pnpm bench`.
    testTimeout: HANG_DETECTOR_MS,
    hookTimeout: HANG_DETECTOR_MS,
    // Test files run one at a time in one worker per package: `pnpm test` runs up to two packages
    // at once (turbo --concurrency=2 in the root package.json), one per core.
    maxWorkers: 1,
    minWorkers: 1,
  },
};

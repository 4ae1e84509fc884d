// Workspace packages resolve to their TypeScript sources under test (the "@mooring/source"
// export condition), so `pnpm test` in a package never runs against a stale build.
import type { UserConfig } from "vitest/config";

// Only our condition and "node": vitest starts its workers with `--conditions` for each of these,
// and with "import" among them a CommonJS driver's `require("pg-pool")` would receive the ES module
// namespace instead of its class. Vite adds "import" or "require" per import by itself.
const conditions = ["@mooring/source", "node"];

export const sourceConditions: UserConfig = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
};

// Workspace packages resolve to their TypeScript sources under test (the "@mooring/source"
// export condition), so `pnpm test` in a package never runs against a stale build.
import type { UserConfig } from "vitest/config";

const conditions = ["@mooring/source", "node", "import", "module", "default"];

export const sourceConditions: UserConfig = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
};

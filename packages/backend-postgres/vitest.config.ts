import { defineConfig } from "vitest/config";
import { sourceConditions } from "../../vitest.shared.js";

// vitest starts its workers with `--conditions` for each of `ssr.resolve.conditions`. With
// "import" among them, pg's CommonJS `require("pg-pool")` would receive pg-pool's ES module
// namespace (its exports map has an "import" entry) instead of its class, and pg fails to load.
// Vite adds "import" or "require" per import by itself, so the workspace sources still resolve.
const conditions = ["@mooring/source", "node"];

export default defineConfig({
  ...sourceConditions,
  ssr: { resolve: { conditions, externalConditions: conditions } },
});

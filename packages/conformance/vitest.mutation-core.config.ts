/**
 * The test suite of `pnpm mutation` for core's scopes (docs/kit-strength.md): the kit on the
 * memory backend (vitest.mutation.config.ts) and the kit on SQLite. Core's shared rules include
 * code the memory backend never calls (`canonicalJson`, which SQLite and Redis use to compare
 * definitions); on memory alone a mutant there is "not covered" whatever the kit checks. SQLite is
 * the second backend because it needs no server. Same fixed fast-check seed as the memory suite.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { MUTATION_SEED } from "./vitest.mutation.config.js";

/** Paths from this file: StrykerJS starts vitest from the repository's root, not this package. */
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  test: {
    projects: [
      here("./vitest.mutation.config.ts"),
      {
        extends: here("../backend-sqlite/vitest.config.ts"),
        test: {
          name: "sqlite",
          root: here("../backend-sqlite"),
          include: ["test/conformance.test.ts"],
          env: { MOORING_FC_SEED: process.env.MOORING_FC_SEED ?? MUTATION_SEED },
        },
      },
    ],
  },
});

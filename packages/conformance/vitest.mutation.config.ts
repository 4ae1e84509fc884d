/**
 * The test suite of `pnpm mutation` (docs/kit-strength.md): the conformance kit against the memory
 * backend and nothing else, so that a mutant counts as killed only when a kit check fails, or when
 * the kit cannot even load (test/mutation-load.test.ts makes that failure one StrykerJS sees). The
 * fast-check seed is fixed, or a property would kill a mutant on one run and miss it on the next.
 */
import { defineConfig, mergeConfig } from "vitest/config";
import { sourceConditions } from "../../vitest.shared.js";

/** The seed of every property under mutation; `MOORING_FC_SEED` in the environment wins. */
export const MUTATION_SEED = "20261205";

export default mergeConfig(
  sourceConditions,
  defineConfig({
    test: {
      include: ["test/memory.test.ts", "test/mutation-load.test.ts"],
      env: { MOORING_FC_SEED: process.env.MOORING_FC_SEED ?? MUTATION_SEED },
    },
  }),
);

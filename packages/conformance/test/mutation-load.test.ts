/**
 * For `pnpm mutation` (vitest.mutation.config.ts, docs/kit-strength.md), and cheap in `pnpm test`. A mutant that makes
 * a module throw while it loads (code at a module's top level, such as the kit's key constants built
 * with `executionKey`) fails test/memory.test.ts before any of its tests exists; StrykerJS counts
 * failed tests, so it reported such a mutant as survived. Here the same modules load inside a test,
 * whose failure it sees.
 */
import { expect, it } from "vitest";

it("the kit, core and the memory backend load, and a memory backend opens and closes", async () => {
  const core = await import("@mooring/core");
  const kit = await import("../src/index.js");
  const { createMemoryBackend, MemoryStore } = await import("@mooring/backend-memory");
  const backend = await createMemoryBackend({ clock: new core.ManualClock(), namespace: "load", store: new MemoryStore() });
  expect(core.hasCapability(backend.capabilities, "kv")).toBe(true);
  expect(typeof kit.describeConformance).toBe("function");
  await backend.close();
});

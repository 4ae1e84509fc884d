/**
 * Runs Vercel's own World suite (`@workflow/world-testing`, unmodified) on a Mooring backend.
 *
 * Each test of the suite spawns the vendor's small app server, which loads the built World
 * (`./dist/index.js`, so `pnpm test` builds this package first) and opens `MOORING_WORLD_URL`.
 * A backend runs the suite only when it declares what the World needs (`missingCapabilities`);
 * otherwise the file reports one skipped test naming each missing capability, as the kit reports
 * "not declared": never passed, and not a failure under `MOORING_REQUIRE`, which is about servers
 * that cannot be had (a missing server still fails there, through @mooring/testing).
 */
import { type Backend, openBackend } from "@mooring/core";
import { createTestSuite } from "@workflow/world-testing";
import { afterAll, describe, it } from "vitest";
import { missingCapabilities } from "../src/index.js";
import type { StoreTarget } from "./support/stores.js";

/** Registers the vendor suite for `name`, or one skipped test saying why it cannot run. */
export async function describeVendorSuite(name: string, target: StoreTarget | { readonly skip: string }): Promise<void> {
  if ("skip" in target) {
    describe.skip(`vendor suite on ${name}: ${target.skip}`, () => it("needs a server", () => undefined));
    return;
  }
  const missing = await capabilitiesMissing(target.url);
  if (missing.length > 0) {
    await target.cleanUp();
    const reason = `not declared by the ${name} backend: ${missing.join(", ")}`;
    console.warn(`\n*** vendor suite on ${name} skipped: ${reason} ***\n`);
    describe.skip(`vendor suite on ${name}: ${reason}`, () => it("needs the World's capabilities", () => undefined));
    return;
  }
  afterAll(() => target.cleanUp());
  describe(`vendor suite on ${name}`, () => {
    process.env.MOORING_WORLD_URL = target.url;
    createTestSuite("./dist/index.js");
  });
}

async function capabilitiesMissing(url: string): Promise<string[]> {
  const backend: Backend = await openBackend(url);
  try {
    return missingCapabilities(backend).map((missing) => missing.capability);
  } finally {
    await backend.close();
  }
}

/**
 * Node 20 has no Promise.withResolvers (ES2024, Node 22), which the DevKit's runtime calls. Every
 * process that loads the runtime (the vitest workers, the vendor's app servers the tests and the
 * bench start) imports `test/promise-with-resolvers.mjs` first through NODE_OPTIONS.
 */
import { join } from "node:path";

/**
 * `current` NODE_OPTIONS plus `--import` of the polyfill of the package at `packageDir` when this
 * Node lacks Promise.withResolvers; `current` unchanged on Node 22 or later.
 */
export function withPromiseWithResolvers(packageDir: string, current: string | undefined): string | undefined {
  if (typeof (Promise as { withResolvers?: unknown }).withResolvers === "function") return current;
  return `${current ?? ""} --import ${join(packageDir, "test", "promise-with-resolvers.mjs")}`.trim();
}

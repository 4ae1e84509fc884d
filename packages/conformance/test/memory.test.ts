/**
 * The whole kit against the memory backend, nothing skipped (decisions.md: the memory backend's
 * conformance run lives here, as Keyv's suite runs against its in-memory adapter).
 */
import { createMemoryBackend, MemoryStore } from "@mooring/backend-memory";
import { describeConformance } from "../src/index.js";

// One store per namespace, so that `create` with the same namespace reaches the same data
// (a second client for race checks) and checks never see each other's data.
const stores = new Map<string, MemoryStore>();

describeConformance({
  name: "memory",
  create: async ({ clock, namespace }) => {
    let store = stores.get(namespace);
    if (!store) stores.set(namespace, (store = new MemoryStore()));
    return createMemoryBackend({ clock, namespace, store });
  },
});

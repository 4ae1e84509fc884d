/**
 * Runs the model-based properties (SPEC K2) and the invalid-input property (C1) against the memory
 * backend, through each check's own `run(context)` with a context built here: a fresh namespace
 * and ManualClock per check, and `connect()` reaching the same store as further clients.
 */
import { randomUUID } from "node:crypto";
import { createMemoryBackend, MemoryStore } from "@mooring/backend-memory";
import { type Backend, ManualClock } from "@mooring/core";
import { afterEach, describe, it } from "vitest";
import { checks as modelChecks } from "../src/checks/suites/model-properties.js";
import { checks as validationChecks } from "../src/checks/suites/validation.js";
import { resolvePropertySettings } from "../src/fast-check.js";
import type { Check, CheckContext } from "../src/registry.js";

const stores = new Map<string, MemoryStore>();
const opened: Backend[] = [];

function open(namespace: string, clock: ManualClock): Backend {
  let store = stores.get(namespace);
  if (!store) {
    store = new MemoryStore();
    stores.set(namespace, store);
  }
  const backend = createMemoryBackend({ clock, store, namespace });
  opened.push(backend);
  return backend;
}

function contextFor(check: Check): CheckContext {
  const clock = new ManualClock();
  const namespace = `ns_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  return {
    checkId: check.id,
    backend: open(namespace, clock),
    clock,
    namespace,
    connect: () => Promise.resolve(open(namespace, clock)),
    openNamespace: () => Promise.resolve(open(`ns_${randomUUID().replaceAll("-", "").slice(0, 16)}`, clock)),
    unique: (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`,
    property: resolvePropertySettings({ packageName: "@mooring/conformance" }),
    progress: () => Promise.resolve(),
  };
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((backend) => backend.close()));
  stores.clear();
});

describe("reference-model properties on the memory backend", () => {
  for (const check of [...modelChecks, ...validationChecks]) {
    it(check.id, () => check.run(contextFor(check)));
  }
});

/**
 * The engine (E1–E19) and tenancy/access (T1–T3) checks against the memory backend, one test per
 * check, so that a failure here names the check and the rule without the whole kit's run.
 * Reports are not written: test/memory.test.ts runs the whole kit and owns those.
 */
import { createMemoryBackend, MemoryStore } from "@mooring/backend-memory";
import { describe, expect, it } from "vitest";
import { checks as deadLetters } from "../src/checks/reclaim/dead-letters.js";
import { checks as dependencies } from "../src/checks/scheduling/dependencies.js";
import { checks as enqueue } from "../src/checks/scheduling/enqueue.js";
import { checks as leases } from "../src/checks/leases/leases.js";
import { checks as notifications } from "../src/checks/notifications/notifications.js";
import { checks as operator } from "../src/checks/leases/operator.js";
import { checks as progress } from "../src/checks/notifications/progress.js";
import { checks as queues } from "../src/checks/scheduling/queues.js";
import { checks as races } from "../src/checks/suites/races.js";
import { checks as reclaim } from "../src/checks/reclaim/reclaim.js";
import { checks as signals } from "../src/checks/signals/signals.js";
import { checks as tenancy } from "../src/checks/isolation/tenancy.js";
import { checks as tenants } from "../src/checks/access/tenants.js";
import { checks as tokens } from "../src/checks/access/tokens.js";
import { ConformanceSession } from "../src/runner.js";

const ENGINE_CHECKS = [
  ...enqueue,
  ...leases,
  ...reclaim,
  ...deadLetters,
  ...operator,
  ...signals,
  ...dependencies,
  ...queues,
  ...progress,
  ...notifications,
  ...tenancy,
  ...tenants,
  ...tokens,
  ...races,
];

// One store per namespace: `create` with the same namespace reaches the same data (another client
// for the race checks), and checks never see each other's data.
const stores = new Map<string, MemoryStore>();

const session = new ConformanceSession({
  name: "memory",
  checks: ENGINE_CHECKS,
  create: async ({ clock, namespace }) => {
    let store = stores.get(namespace);
    if (!store) stores.set(namespace, (store = new MemoryStore()));
    return createMemoryBackend({ clock, namespace, store });
  },
});

describe("engine and tenancy checks on the memory backend", () => {
  it("has unique ids, each starting with its rule", () => {
    const ids = ENGINE_CHECKS.map((check) => check.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const check of ENGINE_CHECKS) expect(check.id.startsWith(`${check.rule}.`)).toBe(true);
  });

  it("covers every rule E1–E19 and T1–T3", () => {
    const rules = new Set(ENGINE_CHECKS.map((check) => check.rule));
    const expected = [...Array.from({ length: 19 }, (_, i) => `E${i + 1}`), "T1", "T2", "T3"];
    expect(expected.filter((rule) => !rules.has(rule))).toEqual([]);
  });

  for (const check of ENGINE_CHECKS) {
    it(`${check.id} ${check.title}`, async () => {
      const result = await session.run(check);
      if (result.status === "failed") {
        throw new Error(`${check.id} (SPEC ${check.rule}) failed: ${result.error?.message ?? "no message"}${result.replay ? `\nreplay: ${result.replay}` : ""}`);
      }
      expect(result.status).toBe("passed");
    });
  }
});

/**
 * The runner's own behaviour (SPEC K1, K4, K6): selection, skips with reasons, capabilities that
 * are not declared, closing what it opened, property failures with replay, and the reports.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { createMemoryBackend, MemoryStore } from "@mooring/backend-memory";
import { type Backend, type CapabilityName, defineCapabilities, type ManualClock, MooringError } from "@mooring/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  assertProperty,
  type Check,
  CheckTimeout,
  type CheckContext,
  type ConformanceOptions,
  type CreateContext,
  defineCheck,
  FC_ENV,
  renderJunit,
  renderMarkdown,
  renderSummary,
  replayCommand,
  resolvePropertySettings,
  RULES,
  runConformance,
  writeReports,
} from "../src/runner-entry.js";

/** Opens memory backends, one store per namespace, recording every backend and its closes. */
class Opener {
  readonly stores = new Map<string, MemoryStore>();
  readonly opened: { readonly namespace: string; readonly clock: ManualClock | undefined; closes: number }[] = [];
  readonly #capabilities: Partial<Record<CapabilityName, boolean>> | undefined;
  readonly #failClose: boolean;

  constructor(options: { capabilities?: Partial<Record<CapabilityName, boolean>>; failClose?: boolean } = {}) {
    this.#capabilities = options.capabilities;
    this.#failClose = options.failClose ?? false;
  }

  readonly create = async ({ clock, namespace }: CreateContext): Promise<Backend> => {
    let store = this.stores.get(namespace);
    if (!store) this.stores.set(namespace, (store = new MemoryStore()));
    const backend = createMemoryBackend({ clock, namespace, store });
    const record = { namespace, clock, closes: 0 };
    this.opened.push(record);
    const close = async (): Promise<void> => {
      record.closes++;
      await backend.close();
      if (this.#failClose) throw new Error("the connection would not close");
    };
    return Object.freeze({
      ...backend,
      capabilities: this.#capabilities ? defineCapabilities(this.#capabilities) : backend.capabilities,
      close,
      [Symbol.asyncDispose]: close,
    });
  };
}

function check(id: string, run: (context: CheckContext) => Promise<void>, options: Partial<Pick<Check, "requires" | "kind" | "title">> = {}): Check {
  const rule = id.slice(0, id.indexOf("."));
  return defineCheck({ id, rule, title: options.title ?? `the check ${id}`, requires: options.requires ?? ["runs"], kind: options.kind ?? "example", run });
}

const passing = (id: string, requires: CapabilityName[] = ["runs"]): Check =>
  check(
    id,
    async (ctx) => {
      await ctx.backend.workflows.createRun({ id: ctx.unique("run"), workflowId: "w", version: "1" });
    },
    { requires },
  );

const failing = (id: string, message = "deliberately broken"): Check =>
  check(id, () => {
    throw new Error(message);
  });

function options(opener: Opener, checks: Check[], extra: Partial<ConformanceOptions> = {}): ConformanceOptions {
  return { name: "memory-under-test", create: opener.create, checks, packageName: "@mooring/conformance", ...extra };
}

beforeEach(() => {
  // The runner reads these; a developer's shell must not change what the tests see.
  vi.stubEnv(FC_ENV.runs, "");
  vi.stubEnv(FC_ENV.seed, "");
  vi.stubEnv(FC_ENV.path, "");
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe("runConformance: results", () => {
  it("reports passed and failed checks with their rule, area, kind and error", async () => {
    const opener = new Opener();
    const report = await runConformance(options(opener, [passing("W1.ok"), failing("W2.broken"), check("C4.typed", async (ctx) => {
      await ctx.backend.workflows.setContext("missing-run", {});
    })]));
    expect(report.results.map((result) => [result.checkId, result.status])).toEqual([
      ["W1.ok", "passed"],
      ["W2.broken", "failed"],
      ["C4.typed", "failed"],
    ]);
    const broken = report.results[1]!;
    expect(broken).toMatchObject({ rule: "W2", area: "workflows", kind: "example", title: "the check W2.broken" });
    expect(broken.error?.message).toBe("deliberately broken");
    expect(broken.error?.stack).toContain("deliberately broken");
    const typed = report.results[2]!;
    expect(typed.error?.code).toBe("NOT_FOUND");
    expect(typed.error?.message).toContain("workflows.setContext");
    expect(report.totals).toMatchObject({ checks: 3, passed: 1, failed: 2, skipped: 0, notDeclared: 0 });
    expect(report.backend).toBe("memory-under-test");
    expect(report.backendName).toBe("memory");
  });

  it("gives each check a fresh namespace and clock; connect() reaches the same store with the same clock", async () => {
    const opener = new Opener();
    const seen: { namespace: string; clock: ManualClock; sameData: boolean; unique: string[] }[] = [];
    const probe = check("W5.namespaces", async (ctx) => {
      const other = await ctx.connect();
      const { run } = await ctx.backend.workflows.createRun({ id: ctx.unique("run"), workflowId: "w", version: "1" });
      const sameData = (await other.workflows.getRun(run.id)) !== null;
      seen.push({ namespace: ctx.namespace, clock: ctx.clock, sameData, unique: [ctx.unique("x"), ctx.unique("x"), ctx.unique("y")] });
    });
    const report = await runConformance(options(opener, [probe, check("W6.namespaces", probe.run)]));
    expect(report.totals.passed).toBe(2);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.namespace).not.toBe(seen[1]!.namespace);
    expect(seen[0]!.namespace).toMatch(/^[a-z0-9_]{1,24}$/);
    expect(seen[0]!.clock).not.toBe(seen[1]!.clock);
    expect(seen.every((entry) => entry.sameData)).toBe(true);
    expect(new Set(seen.flatMap((entry) => entry.unique)).size).toBe(6);
    // Per check: the check's backend and its connect(), on one namespace and one clock.
    const perCheck = opener.opened.filter((entry) => entry.namespace === seen[0]!.namespace);
    expect(perCheck).toHaveLength(2);
    expect(perCheck.every((entry) => entry.clock === seen[0]!.clock)).toBe(true);
  });

  it("creates a check on the backend's own clock, and its connect(), with clock undefined and hands it no clock (SPEC C3)", async () => {
    const opener = new Opener();
    let contextClock: unknown = "not run";
    const ownClock = defineCheck({
      id: "C3.own",
      rule: "C3",
      title: "on the backend's clock",
      requires: ["runs"],
      kind: "example",
      clock: "backend",
      async run(ctx) {
        await ctx.connect();
        contextClock = (ctx as Partial<CheckContext>).clock;
      },
    });
    const report = await runConformance(options(opener, [ownClock, passing("W1.kit")]));
    expect(report.totals.passed).toBe(2);
    expect(contextClock).toBeUndefined();
    const namespaces = [...new Set(opener.opened.map((entry) => entry.namespace))];
    const [probe, own, kit] = namespaces.map((namespace) => opener.opened.filter((entry) => entry.namespace === namespace));
    expect(probe?.map((entry) => entry.clock !== undefined)).toEqual([true]);
    expect(own?.map((entry) => entry.clock)).toEqual([undefined, undefined]);
    expect(kit?.map((entry) => entry.clock !== undefined)).toEqual([true]);
  });

  it("calls onResult for every result and keeps report order with concurrency", async () => {
    const opener = new Opener();
    const order: string[] = [];
    const checks = ["W1.a", "W1.b", "W2.c", "W3.d", "W4.e"].map((id) => passing(id));
    const report = await runConformance(options(opener, checks, { concurrency: 3, onResult: (result) => order.push(result.checkId) }));
    expect(report.results.map((result) => result.checkId)).toEqual(checks.map((c) => c.id));
    expect([...order].sort()).toEqual(checks.map((c) => c.id).sort());
  });

  it("reports a failure of create as a failed check naming the namespace", async () => {
    const report = await runConformance({
      name: "unreachable",
      checks: [passing("W1.a")],
      create: () => Promise.reject(new MooringError("UNAVAILABLE", "connection refused")),
    });
    const [result] = report.results;
    expect(result?.status).toBe("failed");
    expect(result?.error?.message).toMatch(/^create\(\{ namespace: "kit_[0-9a-f]+" \}\) failed: UNAVAILABLE: connection refused/);
    expect(report.backendName).toBeNull();
    expect(report.capabilities.every((capability) => capability.declared === null)).toBe(true);
    expect(report.capabilities.find((capability) => capability.capability === "runs")?.status).toBe("failed");
    expect(report.capabilities.find((capability) => capability.capability === "kv")?.status).toBe("untested");
  });

  it("reports a check without progress for timeoutMs as timed-out (not failed), closes its backends, fails no capability", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "performance"] });
    const opener = new Opener();
    const hanging = check("W7.hangs", async (ctx) => {
      await ctx.connect();
      await new Promise<never>(() => undefined);
    });
    let finished = false;
    const running = runConformance(options(opener, [hanging], { timeoutMs: 5_000 })).finally(() => (finished = true));
    // The watchdog starts once the check runs; fake time moves on until it has tripped.
    while (!finished) await vi.advanceTimersByTimeAsync(1_000);
    const report = await running;
    expect(report.results[0]?.status).toBe("timed-out");
    expect(report.results[0]?.error?.message).toBe("W7.hangs made no progress for 5000 ms (a hang)");
    expect(report.rules.find((rule) => rule.rule === "W7")).toMatchObject({ status: "timed-out", failed: 0, timedOut: 1 });
    expect(report.capabilities.filter((capability) => capability.status === "failed")).toEqual([]);
    expect(report.totals).toMatchObject({ failed: 0, timedOut: 1 });
    expect(opener.opened.every((entry) => entry.closes >= 1)).toBe(true);
  });

  it("never times out a check that keeps reporting progress, however long it runs in all", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "performance"] });
    const opener = new Opener();
    const slow = check("W7.slow", async (ctx) => {
      for (let step = 0; step < 10; step++) {
        vi.advanceTimersByTime(4_000);
        await ctx.progress();
      }
    });
    const report = await runConformance(options(opener, [slow], { timeoutMs: 5_000 }));
    expect(report.results[0]).toMatchObject({ status: "passed" });
  });

  it("a property reports progress after each run", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "performance"] });
    const opener = new Opener();
    const slowProperty = check("W7.slow-property", async (ctx) => {
      await assertProperty(
        ctx,
        fc.asyncProperty(fc.integer(), async () => {
          vi.advanceTimersByTime(4_000);
        }),
      );
    });
    const report = await runConformance(options(opener, [slowProperty], { timeoutMs: 5_000, numRuns: 10 }));
    expect(report.results[0]).toMatchObject({ status: "passed" });
  });
});

describe("runConformance: selection and skips", () => {
  it("skips by check id and by rule id, with the reason, without opening a backend for them", async () => {
    const opener = new Opener();
    let ran = 0;
    const counting = (id: string): Check =>
      check(id, async () => {
        ran++;
      });
    const report = await runConformance(
      options(opener, [counting("E19.wait"), counting("E19.subscribe"), counting("W1.skipped"), counting("W1.kept")], {
        skip: { E19: "notifications need a server here", "W1.skipped": "known issue #12" },
      }),
    );
    expect(report.results.map((result) => [result.checkId, result.status, result.reason])).toEqual([
      ["E19.wait", "skipped", "notifications need a server here"],
      ["E19.subscribe", "skipped", "notifications need a server here"],
      ["W1.skipped", "skipped", "known issue #12"],
      ["W1.kept", "passed", undefined],
    ]);
    expect(ran).toBe(1);
    expect(report.rules.find((rule) => rule.rule === "E19")?.status).toBe("skipped");
    expect(report.rules.find((rule) => rule.rule === "W1")?.status).toBe("partial");
  });

  it("rejects a skip without a reason and a skip that names nothing", async () => {
    const opener = new Opener();
    await expect(runConformance(options(opener, [passing("W1.a")], { skip: { "W1.a": "  " } }))).rejects.toThrow(/needs a reason/);
    await expect(runConformance(options(opener, [passing("W1.a")], { skip: { "W1.typo": "x" } }))).rejects.toThrow(/W1\.typo/);
    expect(opener.opened).toHaveLength(0);
  });

  it("runs only the selected rules or checks, and reports the others' rules as not run", async () => {
    const opener = new Opener();
    const checks = [passing("W1.a"), passing("W2.b"), passing("W3.c")];
    const byRule = await runConformance(options(opener, checks, { only: ["W2"] }));
    expect(byRule.results.map((result) => result.checkId)).toEqual(["W2.b"]);
    expect(byRule.rules.find((rule) => rule.rule === "W1")?.status).toBe("not-run");
    expect(byRule.rules.find((rule) => rule.rule === "W2")?.status).toBe("passed");
    expect(byRule.rules.find((rule) => rule.rule === "S1")?.status).toBe("no-check");
    const byFunction = await runConformance(options(opener, checks, { only: (c) => c.id !== "W2.b" }));
    expect(byFunction.results.map((result) => result.checkId)).toEqual(["W1.a", "W3.c"]);
    await expect(runConformance(options(opener, checks, { only: ["W99"] }))).rejects.toThrow(/W99/);
  });

  it("rejects two checks with one id", async () => {
    await expect(runConformance(options(new Opener(), [passing("W1.a"), passing("W1.a")]))).rejects.toThrow(/two checks have the id W1\.a/);
  });
});

describe("runConformance: capabilities", () => {
  it("reports a check needing an undeclared capability as not-declared, never passed, and never runs it", async () => {
    const opener = new Opener({ capabilities: { runs: true, events: true } });
    let ranKv = false;
    const needsKv = check(
      "S2.needs-kv",
      async () => {
        ranKv = true;
      },
      { requires: ["kv"] },
    );
    const partlyKv = check("W7.needs-kv", async () => undefined, { requires: ["runs", "kv"] });
    const report = await runConformance(options(opener, [passing("W1.runs"), needsKv, passing("W7.events", ["runs", "events"]), partlyKv]));
    expect(ranKv).toBe(false);
    const kv = report.results.find((result) => result.checkId === "S2.needs-kv");
    expect(kv).toMatchObject({ status: "not-declared" });
    expect(kv?.reason).toContain('"kv"');
    expect(report.totals).toMatchObject({ passed: 2, notDeclared: 2 });
    expect(report.rules.find((rule) => rule.rule === "S2")?.status).toBe("not-declared");
    // A rule whose every check the backend could run passed is passed, its other checks counted apart.
    expect(report.rules.find((rule) => rule.rule === "W7")).toMatchObject({ status: "passed", passed: 1, notDeclared: 1 });
    const capability = (name: CapabilityName) => report.capabilities.find((entry) => entry.capability === name);
    expect(capability("kv")).toMatchObject({ declared: false, status: "not-declared" });
    expect(capability("runs")).toMatchObject({ declared: true, status: "passed", passed: 2 });
    expect(capability("leases")).toMatchObject({ declared: false, status: "not-declared" });
  });

  it("marks a declared capability failed when a check requiring it fails, untested when none ran", async () => {
    const report = await runConformance(options(new Opener(), [failing("W1.broken"), passing("W7.events", ["runs", "events"])]));
    const capability = (name: CapabilityName) => report.capabilities.find((entry) => entry.capability === name);
    expect(capability("runs")).toMatchObject({ declared: true, status: "failed", passed: 1, failed: 1 });
    expect(capability("events")).toMatchObject({ status: "passed" });
    expect(capability("tokens")).toMatchObject({ declared: true, status: "untested" });
  });
});

describe("runConformance: closing", () => {
  it("closes the check's backend and every connect() when the check throws", async () => {
    const opener = new Opener();
    const report = await runConformance(
      options(opener, [
        check("W7.throws-after-connect", async (ctx) => {
          await ctx.connect();
          await ctx.connect();
          throw new Error("mid-check failure");
        }),
      ]),
    );
    expect(report.results[0]?.status).toBe("failed");
    const forCheck = opener.opened.filter((entry) => entry.namespace !== opener.opened[0]!.namespace);
    expect(forCheck).toHaveLength(3);
    expect(opener.opened.every((entry) => entry.closes === 1)).toBe(true);
  });

  it("tears down each check's namespace once, after its clients closed, whatever the outcome", async () => {
    const opener = new Opener();
    const torn: { namespace: string; openClients: number }[] = [];
    const teardown = async ({ namespace }: { namespace: string }): Promise<void> => {
      const clients = opener.opened.filter((entry) => entry.namespace === namespace);
      torn.push({ namespace, openClients: clients.filter((entry) => entry.closes === 0).length });
      opener.stores.delete(namespace);
    };
    const report = await runConformance(
      options(opener, [passing("W1.ok"), failing("W2.broken"), passing("E1.leases", ["leases"]), check("W7.connects", async (ctx) => void (await ctx.connect()))], {
        teardown,
      }),
    );
    expect(report.results.map((result) => result.status)).toEqual(["passed", "failed", "passed", "passed"]);
    const namespaces = [...new Set(opener.opened.map((entry) => entry.namespace))];
    // The capability probe's namespace and each check's, each once.
    expect(torn.map((entry) => entry.namespace).sort()).toEqual([...namespaces].sort());
    expect(torn.every((entry) => entry.openClients === 0)).toBe(true);
    expect(opener.stores.size).toBe(0);
  });

  it("fails a check whose teardown fails, naming the namespace, and notes it on a failing one", async () => {
    const opener = new Opener();
    const teardown = async ({ namespace }: { namespace: string }): Promise<void> => {
      throw new Error(`could not drop ${namespace}`);
    };
    const report = await runConformance(options(opener, [passing("W1.ok"), failing("W2.broken")], { teardown }));
    expect(report.results[0]).toMatchObject({ status: "failed" });
    expect(report.results[0]?.error?.message).toMatch(/^teardown\(\{ namespace: "(\w+)" \}\) failed: could not drop \1$/);
    expect(report.results[1]?.error?.message).toMatch(/^deliberately broken\n\(and teardown\(/);
  });

  it("fails a passing check whose backend fails to close, and notes it on a failing one", async () => {
    const opener = new Opener({ failClose: true });
    const report = await runConformance(options(opener, [passing("W1.ok"), failing("W2.broken")]));
    expect(report.results[0]).toMatchObject({ status: "failed" });
    expect(report.results[0]?.error?.message).toContain("close() failed: the connection would not close");
    expect(report.results[1]?.error?.message).toContain("deliberately broken\n(and close() failed");
  });
});

describe("property settings and replay (SPEC K6, K7)", () => {
  it("reads MOORING_FC_RUNS, MOORING_FC_SEED and MOORING_FC_PATH, which win over options", () => {
    expect(resolvePropertySettings({}, {})).toEqual({ numRuns: 100 });
    expect(resolvePropertySettings({ numRuns: 20, seed: 5, path: "1:2" }, {})).toEqual({ numRuns: 20, seed: 5, path: "1:2" });
    expect(resolvePropertySettings({ numRuns: 20 }, { MOORING_FC_RUNS: "1000", MOORING_FC_SEED: "-42", MOORING_FC_PATH: "3:0:1" })).toEqual({
      numRuns: 1000,
      seed: -42,
      path: "3:0:1",
    });
    expect(() => resolvePropertySettings({}, { MOORING_FC_RUNS: "many" })).toThrow(/MOORING_FC_RUNS/);
    expect(() => resolvePropertySettings({}, { MOORING_FC_PATH: "1:2" })).toThrow(/MOORING_FC_SEED/);
    expect(() => resolvePropertySettings({ seed: 1, path: "x" }, {})).toThrow(/path/);
  });

  it("builds a one-line replay command", () => {
    expect(replayCommand("W7.random-batches", 123, "4:1", "@mooring/backend-sqlite")).toBe(
      'MOORING_FC_SEED=123 MOORING_FC_PATH=4:1 pnpm --filter @mooring/backend-sqlite exec vitest run -t "W7.random-batches"',
    );
    expect(replayCommand("W7.x", -5, undefined)).toBe('MOORING_FC_SEED=-5 npx vitest run -t "W7.x"');
  });

  it("runs a property numRuns times and records the seed it used", async () => {
    let calls = 0;
    const property = check(
      "W7.counts-runs",
      async (ctx) => {
        await assertProperty(
          ctx,
          fc.property(fc.nat(), () => {
            calls++;
          }),
        );
      },
      { kind: "property" },
    );
    const report = await runConformance(options(new Opener(), [property], { numRuns: 17, seed: 99 }));
    expect(report.results[0]).toMatchObject({ status: "passed", seed: 99 });
    expect(calls).toBe(17);
    vi.stubEnv(FC_ENV.runs, "5");
    calls = 0;
    await runConformance(options(new Opener(), [property], { numRuns: 17 }));
    expect(calls).toBe(5);
  });

  it("reports a failing property with seed, path, counterexample and replay, and the replay reproduces it", async () => {
    const seenOnReplay: number[] = [];
    const property = check(
      "W10.fails-above-1000",
      async (ctx) => {
        await assertProperty(
          ctx,
          fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), async (n) => {
            seenOnReplay.push(n);
            if (n > 1000) throw new MooringError("CONFLICT", `too big: ${n}`);
          }),
        );
      },
      { kind: "property" },
    );
    const report = await runConformance(options(new Opener(), [property], { numRuns: 200 }));
    const result = report.results[0]!;
    expect(result.status).toBe("failed");
    expect(typeof result.seed).toBe("number");
    expect(result.error?.code).toBe("CONFLICT");
    const message = result.error?.message ?? "";
    expect(message).toContain(`seed: ${result.seed}`);
    expect(message).toContain("counterexample: [1001]");
    const path = /path: (\S+)/.exec(message)?.[1];
    expect(path).toMatch(/^\d+(:\d+)*$/);
    expect(result.replay).toBe(`MOORING_FC_SEED=${result.seed} MOORING_FC_PATH=${path} pnpm --filter @mooring/conformance exec vitest run -t "W10.fails-above-1000"`);
    expect(message).toContain(`replay: ${result.replay}`);

    seenOnReplay.length = 0;
    vi.stubEnv(FC_ENV.seed, String(result.seed));
    vi.stubEnv(FC_ENV.path, path ?? "");
    const replayed = await runConformance(options(new Opener(), [property]));
    expect(replayed.results[0]?.status).toBe("failed");
    expect(replayed.results[0]?.error?.message).toContain("counterexample: [1001]");
    expect(seenOnReplay[0]).toBe(1001);
  });
});

describe("reports (SPEC K4)", () => {
  const nasty = 'a <tag> & "quotes" \u0001 and \u{1F6A2}';

  async function mixedReport() {
    const opener = new Opener({ capabilities: { runs: true } });
    return runConformance(
      options(opener, [passing("W1.ok"), failing("W2.broken", nasty), passing("W3.skipped"), passing("S2.kv", ["kv"])], {
        skip: { "W3.skipped": "reason with <xml> & | pipes" },
      }),
    );
  }

  it("JSON parses back to the report", async () => {
    const report = await mixedReport();
    const dir = await mkdtemp(join(tmpdir(), "mooring-report-"));
    try {
      const paths = await writeReports(report, dir);
      expect(paths.map((path) => path.slice(dir.length + 1))).toEqual(["conformance-memory-under-test.json", "conformance-memory-under-test.md", "conformance-memory-under-test.xml"]);
      const parsed = JSON.parse(await readFile(paths[0]!, "utf8")) as unknown;
      expect(parsed).toEqual(JSON.parse(JSON.stringify(report)));
      expect(report.rules.map((rule) => rule.rule)).toEqual(RULES.map((rule) => rule.id));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("JUnit has one testsuite with the right counts, a testcase per check, failures and skips with messages, escaped", async () => {
    const report = await mixedReport();
    const xml = renderJunit(report);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml).toMatch(/<testsuites name="mooring-conformance" tests="4" failures="1" errors="0" skipped="2"/);
    expect(xml).toMatch(/<testsuite name="memory-under-test" tests="4" failures="1" errors="0" skipped="2"/);
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml.match(/<skipped /g)).toHaveLength(2);
    expect(xml).toContain('name="W2.broken the check W2.broken" classname="mooring.memory-under-test.W2"');
    expect(xml).toContain("a &lt;tag&gt; &amp; &quot;quotes&quot; \uFFFD and \u{1F6A2}");
    expect(xml).toContain('<skipped message="skipped: reason with &lt;xml&gt; &amp; | pipes"/>');
    expect(xml).toContain('<skipped message="not declared: the backend does not declare &quot;kv&quot;"/>');
    // Every element opened is closed: a cheap well-formedness check without an XML parser.
    const opened = (xml.match(/<(testsuites|testsuite|testcase|failure|properties)(\s[^>]*[^/])?>/g) ?? []).length;
    const closed = (xml.match(/<\/(testsuites|testsuite|testcase|failure|properties)>/g) ?? []).length;
    expect(opened).toBe(closed);
    const forbidden = [...xml].filter((char) => {
      const code = char.charCodeAt(0);
      return code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d;
    });
    expect(forbidden).toEqual([]);
  });

  it("a timed-out check is a JUnit <error>, a Markdown and summary timeout (not a failure), and fails no capability", async () => {
    const opener = new Opener();
    const stalls = check("W2.stalls", async () => {
      throw new CheckTimeout("waitForWork did not settle within 300000 ms (a hang)");
    });
    const report = await runConformance(options(opener, [passing("W1.ok"), stalls]));
    expect(report.totals).toMatchObject({ checks: 2, passed: 1, failed: 0, timedOut: 1 });
    expect(report.capabilities.find((capability) => capability.capability === "runs")?.status).toBe("passed");
    const xml = renderJunit(report);
    expect(xml).toMatch(/<testsuite name="memory-under-test" tests="2" failures="0" errors="1" skipped="0"/);
    expect(xml).toContain('<error message="waitForWork did not settle within 300000 ms (a hang)" type="CheckTimeout">');
    expect(xml).not.toContain("<failure ");
    const markdown = renderMarkdown(report);
    expect(markdown).toContain("| W2 | TIMED OUT | 0 | 0 | 1 | 0 | 0 |");
    expect(markdown).toContain("## Timeouts (a hang detector tripped: no rule was judged)");
    expect(markdown).not.toContain("## Failures");
    expect(renderSummary(report)).toContain("Timeouts (a hang detector tripped: no rule was judged):\n  W2.stalls (SPEC W2)");
  });

  it("Markdown groups rules by area and lists failures, skips and capabilities; the summary names failed checks", async () => {
    const report = await mixedReport();
    const markdown = renderMarkdown(report);
    expect(markdown).toContain("# Mooring conformance: memory-under-test");
    expect(markdown).toContain("**4 checks: 1 passed, 1 failed, 0 timed out, 1 skipped, 1 not declared.**");
    expect(markdown.indexOf("## Rules common to every call")).toBeLessThan(markdown.indexOf("## Workflows"));
    expect(markdown).toContain("| W2 | FAILED | 0 | 1 | 0 | 0 | 0 |");
    expect(markdown).toContain("| C1 | no check |");
    expect(markdown).toContain("### `W2.broken` (SPEC W2)");
    expect(markdown).toContain("| `W3.skipped` | skipped | reason with <xml> & \\| pipes |");
    expect(markdown).toContain("| kv | no | not-declared | 0 | 0 |");
    const summary = renderSummary(report);
    expect(summary.split("\n")[0]).toMatch(/^Mooring conformance: memory-under-test: 4 checks, 1 passed, 1 failed, 0 timed out, 1 skipped, 1 not declared/);
    expect(summary).toContain("W2.broken (SPEC W2): a <tag>");
  });
});

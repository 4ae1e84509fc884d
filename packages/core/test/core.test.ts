import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALL_CAPABILITIES,
  V1_CAPABILITIES,
  type BackendDriver,
  type BackendFacets,
  backoffDelay,
  CALL_RULES,
  type DriverFacets,
  compareCodePoints,
  defineBackend,
  defineCapabilities,
  DEFAULTS,
  executionKey,
  executionKeyPrefix,
  generateToken,
  hashesEqual,
  hashToken,
  isExecutionKey,
  ManualClock,
  migrateOnOpen,
  MooringError,
  newId,
  openBackend,
  redact,
  resolveEnqueue,
  type WorkflowStore,
} from "../src/index.js";
import { importBackendModule } from "../src/open-backend.js";

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return MooringError.is(error) ? error.code : `not a MooringError: ${String(error)}`;
  }
  return undefined;
};

const rejects = async (promise: Promise<unknown>): Promise<string | undefined> => {
  try {
    await promise;
  } catch (error) {
    return MooringError.is(error) ? error.code : `not a MooringError: ${String(error)}`;
  }
  return undefined;
};

describe("MooringError (C4)", () => {
  it("matches by brand and code, across copies of the package", () => {
    const error = new MooringError("STALE_LEASE", "newer lease", { backend: "memory", operation: "engine.complete" });
    expect(MooringError.is(error)).toBe(true);
    expect(MooringError.is(error, "STALE_LEASE")).toBe(true);
    expect(MooringError.is(error, "NOT_FOUND")).toBe(false);
    expect(MooringError.is(new Error("x"))).toBe(false);
    expect(MooringError.is({ code: "STALE_LEASE" })).toBe(false);
    // A second copy of the package defines its own class but the same registered symbol.
    const foreign = Object.defineProperty({ code: "CLOSED" }, Symbol.for("@mooring/core/MooringError"), { value: true });
    expect(MooringError.is(foreign, "CLOSED")).toBe(true);
  });

  it("marks transport failures retryable and keeps its cause", () => {
    const cause = new Error("ECONNRESET");
    const error = new MooringError("UNAVAILABLE", "lost", { cause });
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(new MooringError("CONFLICT", "dup").retryable).toBe(false);
  });
});

describe("ManualClock (C3)", () => {
  it("moves only forward and only when told", () => {
    const clock = new ManualClock(1000);
    expect(clock.now()).toBe(1000);
    expect(clock.advance(500)).toBe(1500);
    clock.set(2000);
    expect(clock.now()).toBe(2000);
    expect(() => clock.set(1999)).toThrow(RangeError);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(0.5)).toThrow(RangeError);
  });
});

describe("validation (C1)", () => {
  const driver = recordingDriver();
  const backend = defineBackend(driver);

  it("accepts ids of exactly 255 UTF-8 bytes and rejects 256, counting multi-byte characters", async () => {
    expect(await rejects(backend.workflows.getRun("a".repeat(255)))).toBeUndefined();
    expect(await rejects(backend.workflows.getRun("a".repeat(256)))).toBe("VALIDATION");
    expect(await rejects(backend.workflows.getRun("é".repeat(127) + "a"))).toBeUndefined(); // 255 bytes
    expect(await rejects(backend.workflows.getRun("é".repeat(128)))).toBe("VALIDATION"); // 256 bytes
  });

  it("rejects empty ids, U+0000 and lone surrogates, and accepts every other character", async () => {
    expect(await rejects(backend.workflows.getRun(""))).toBe("VALIDATION");
    expect(await rejects(backend.workflows.getRun("a\u0000b"))).toBe("VALIDATION");
    expect(await rejects(backend.workflows.getRun("a\ud800b"))).toBe("VALIDATION");
    expect(await rejects(backend.workflows.getRun("\udc00"))).toBe("VALIDATION");
    expect(await rejects(backend.workflows.getRun(`'"\`:{}%*?\\/\n😀`))).toBeUndefined();
  });

  it("rejects values that are not JSON", async () => {
    const bad: unknown[] = [NaN, Infinity, -Infinity, 10n, () => 1, Symbol("s"), new Date(0), new Map(), { a: undefined }];
    // A sparse array (a hole is not a JSON value).
    bad.push(Object.assign(new Array<unknown>(3), { 0: 1, 2: 3 }));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    bad.push(cyclic);
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = [deep];
    bad.push(deep);
    for (const value of bad) {
      expect(await rejects(backend.engine.enqueue({ queue: "q", payload: value as never }))).toBe("VALIDATION");
    }
    const shared = { x: 1 };
    expect(await rejects(backend.engine.enqueue({ queue: "q", payload: { a: shared, b: shared } }))).toBeUndefined();
  });

  it("rejects payloads above maxPayloadBytes", async () => {
    const small = defineBackend(recordingDriver({ maxPayloadBytes: 100 }));
    expect(await rejects(small.engine.enqueue({ queue: "q", payload: "x".repeat(90) }))).toBeUndefined();
    expect(await rejects(small.engine.enqueue({ queue: "q", payload: "x".repeat(99) }))).toBe("VALIDATION");
    expect(await rejects(small.state.set("k", new Uint8Array(101)))).toBe("VALIDATION");
  });

  it("rejects durations and limits that are not finite positive integers", async () => {
    for (const leaseMs of [0, -1, 1.5, NaN, Infinity, "10", 2 ** 60]) {
      expect(await rejects(backend.engine.claim({ workerId: "w", queues: ["q"], leaseMs: leaseMs as number }))).toBe("VALIDATION");
    }
    expect(await rejects(backend.workflows.listRuns({ limit: 0 }))).toBe("VALIDATION");
    expect(await rejects(backend.state.set("k", new Uint8Array(1), { ttlMs: -5 }))).toBe("VALIDATION");
  });

  it("never lets a rejected call reach the driver", async () => {
    const calls = driver.calls.length;
    await rejects(backend.engine.enqueue({ queue: "", payload: 1 }));
    await rejects(backend.workflows.appendEvents("r", []));
    expect(driver.calls.length).toBe(calls);
  });

  it("names the offending field", async () => {
    try {
      await backend.engine.enqueue({ queue: "q", maxAttempts: 0 });
      expect.unreachable();
    } catch (error) {
      expect(MooringError.is(error, "VALIDATION")).toBe(true);
      expect((error as MooringError).message).toContain("task.maxAttempts");
      expect((error as MooringError).operation).toBe("engine.enqueue");
      expect((error as MooringError).backend).toBe("recording");
    }
  });
});

describe("compareCodePoints", () => {
  it("orders by code point, like UTF-8 bytes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        const bytes = Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
        expect(Math.sign(compareCodePoints(a, b))).toBe(bytes);
      }),
    );
    expect(compareCodePoints("\uffff", "😀")).toBeLessThan(0); // UTF-16 order says the opposite
  });
});

describe("executionKey (S4)", () => {
  it("is injective and every key of an execution has its exact prefix", () => {
    const id = fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(id, id, id, id, (e1, n1, e2, n2) => {
        const k1 = executionKey(e1, n1);
        const k2 = executionKey(e2, n2);
        expect(k1 === k2).toBe(e1 === e2 && n1 === n2);
        expect(isExecutionKey(k1, e1)).toBe(true);
        if (e1 !== e2) expect(isExecutionKey(k1, e2)).toBe(false);
      }),
    );
    expect(executionKey("a:b", "c")).not.toBe(executionKey("a", "b:c"));
    expect(executionKeyPrefix("1/x")).not.toBe(executionKeyPrefix("1"));
  });

  it("rejects a key that would exceed 255 bytes", () => {
    expect(code(() => executionKey("e", "n".repeat(250)))).toBe("VALIDATION");
    expect(code(() => executionKey("", "n"))).toBe("VALIDATION");
  });
});

describe("defaults and arithmetic (E1, E8)", () => {
  it("fills every enqueue default", () => {
    const resolved = resolveEnqueue({ queue: "q" }, 42);
    expect(resolved).toMatchObject({ priority: 0, runAt: 42, maxAttempts: 3, payload: null, idempotencyKey: null });
    expect(resolved.backoff).toEqual({ baseMs: 1000, factor: 2, maxMs: 300_000 });
    expect(resolveEnqueue({ queue: "q", backoff: { baseMs: 10 } }, 0).backoff).toEqual({ baseMs: 10, factor: 2, maxMs: 300_000 });
  });

  it("computes min(base·factor^(attempt−1), max)", () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(DEFAULTS.backoff, attempt))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(DEFAULTS.backoff, 30)).toBe(300_000);
    expect(backoffDelay(DEFAULTS.backoff, 5000)).toBe(300_000);
  });
});

describe("tokens (T3)", () => {
  it("are 256-bit, distinct, and only their hash is compared", () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateToken));
    expect(tokens.size).toBe(1000);
    const [token] = tokens;
    expect(Buffer.from(token!.slice(4), "base64url").length).toBe(32);
    expect(hashToken(token!)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashesEqual(hashToken(token!), hashToken(token!))).toBe(true);
    expect(hashesEqual(hashToken(token!), hashToken(`${token}x`))).toBe(false);
  });
});

describe("ids", () => {
  it("are UUIDv7 and sort by time", () => {
    const early = newId(1000);
    const late = newId(2000);
    expect(early).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(early < late).toBe(true);
  });
});

describe("defineBackend lifecycle", () => {
  it("rejects every call after close with CLOSED, and close is idempotent", async () => {
    const driver = recordingDriver();
    const backend = defineBackend(driver);
    await backend.close();
    await backend.close();
    expect(driver.closed).toBe(1);
    expect(await rejects(backend.workflows.getRun("r"))).toBe("CLOSED");
    expect(await rejects(backend.ping())).toBe("CLOSED");
    expect(code(() => backend.forTenant("t"))).toBe("CLOSED");
  });

  it("waits for calls in flight before closing the driver", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const driver = recordingDriver({}, async () => {
      await gate;
    });
    const backend = defineBackend(driver);
    const call = backend.workflows.getRun("r");
    const closing = backend.close();
    await Promise.resolve();
    expect(driver.closed).toBe(0);
    release();
    await call;
    await closing;
    expect(driver.closed).toBe(1);
  });

  it("does not wait for a readFrames that tails (waitMs > 0) before closing, as for waitForWork; a plain readFrames is awaited (SPEC E28)", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const driver = recordingDriver({}, async () => {
      await gate;
    });
    const backend = defineBackend(driver);
    const tail = backend.engine.readFrames("t", { waitMs: 60_000 });
    const signalled = backend.engine.readFrames("t", { waitMs: 1, signal: new AbortController().signal });
    await backend.close();
    expect(driver.closed).toBe(1);
    const plainDriver = recordingDriver({}, async () => {
      await gate;
    });
    const plain = defineBackend(plainDriver);
    const read = plain.engine.readFrames("t", { waitMs: 0, signal: new AbortController().signal });
    const closing = plain.close();
    await Promise.resolve();
    expect(plainDriver.closed).toBe(0);
    release();
    await Promise.all([tail, signalled, read, closing]);
    expect(plainDriver.closed).toBe(1);
  });

  it("closes a tenant view alone; closing the root closes every view", async () => {
    const driver = recordingDriver();
    const root = defineBackend(driver);
    const view = root.forTenant("t1");
    expect(view.tenantId).toBe("t1");
    expect(root.forTenant("t1")).toBe(view);
    await view.close();
    expect(await rejects(view.workflows.getRun("r"))).toBe("CLOSED");
    expect(await rejects(root.workflows.getRun("r"))).toBeUndefined();
    const other = root.forTenant("t2");
    await root[Symbol.asyncDispose]();
    expect(await rejects(other.workflows.getRun("r"))).toBe("CLOSED");
    expect(driver.tenants).toEqual(["default", "t1", "t2"]);
  });

  it("throws UNSUPPORTED for an undeclared capability, fail-closed", async () => {
    const backend = defineBackend(recordingDriver({ capabilities: defineCapabilities({ leases: true }) }));
    expect(backend.capabilities.kv).toBe(false);
    expect(Object.isFrozen(backend.capabilities)).toBe(true);
    expect(await rejects(backend.state.get("k"))).toBe("UNSUPPORTED");
    expect(await rejects(backend.engine.enqueue({ queue: "q" }))).toBeUndefined();
    expect(await rejects(backend.engine.enqueue({ queue: "q", priority: 5 }))).toBe("UNSUPPORTED");
    expect(await rejects(backend.engine.enqueue({ queue: "q", runAt: 5 }))).toBe("UNSUPPORTED");
    expect(code(() => backend.forTenant("other"))).toBe("UNSUPPORTED");
  });

  it("gates concurrency keys and rate limits by their version 2 capabilities, after validating them (SPEC E20, E21)", async () => {
    const backend = defineBackend(recordingDriver({ capabilities: V1_CAPABILITIES }));
    expect([backend.capabilities.concurrencyKeys, backend.capabilities.rateLimits]).toEqual([false, false]);
    expect(await rejects(backend.engine.enqueue({ queue: "q", concurrencyKey: "run-1" }))).toBe("UNSUPPORTED");
    expect(await rejects(backend.engine.setQueue("q", { keyConcurrency: 1 }))).toBe("UNSUPPORTED");
    expect(await rejects(backend.engine.setQueue("q", { rateLimit: { max: 1, perMs: 1000 } }))).toBe("UNSUPPORTED");
    expect(await rejects(backend.engine.setQueue("q", { concurrency: 1 }))).toBeUndefined();
    // Bad input is VALIDATION first, whatever is declared (C1).
    expect(await rejects(backend.engine.setQueue("q", { keyConcurrency: 0 }))).toBe("VALIDATION");
    expect(await rejects(backend.engine.setQueue("q", { rateLimit: { max: 1, perMs: 0 } }))).toBe("VALIDATION");
    expect(await rejects(backend.engine.enqueue({ queue: "q", concurrencyKey: "" }))).toBe("VALIDATION");
    const full = defineBackend(recordingDriver({ capabilities: ALL_CAPABILITIES }));
    expect(await rejects(full.engine.setQueue("q", { keyConcurrency: null, rateLimit: null }))).toBeUndefined();
    expect(await rejects(full.engine.setQueue("q", { rateLimit: { max: 2 } as never }))).toBe("VALIDATION");
  });

  it("gates tailing a stream and summaries by frameTail, after validating them (SPEC E28)", async () => {
    const backend = defineBackend(recordingDriver({ capabilities: V1_CAPABILITIES }));
    expect(backend.capabilities.frameTail).toBe(false);
    const lease = { taskId: "t", epoch: 1, leaseId: "l", attempt: 1, queue: "q", expiresAt: 1 } as never;
    expect(await rejects(backend.engine.readFrames("t", { waitMs: 10 }))).toBe("UNSUPPORTED");
    expect(await rejects(backend.engine.readFrames("t", { signal: new AbortController().signal }))).toBe("UNSUPPORTED");
    expect(await rejects(backend.engine.setSummary(lease, { step: 1 }))).toBe("UNSUPPORTED");
    expect(await rejects(backend.engine.getSummary("t"))).toBe("UNSUPPORTED");
    // No wait asked: plain streams (E18).
    expect(await rejects(backend.engine.readFrames("t", { waitMs: 0, after: 2 }))).toBeUndefined();
    const full = defineBackend(recordingDriver({ capabilities: ALL_CAPABILITIES }));
    expect(await rejects(full.engine.readFrames("t", { waitMs: -1 }))).toBe("VALIDATION");
    expect(await rejects(full.engine.readFrames("t", { waitMs: 2 ** 31 }))).toBe("VALIDATION");
    expect(await rejects(full.engine.readFrames("t", { waitMs: 2 ** 31 - 1 }))).toBeUndefined();
    expect(await rejects(full.engine.readFrames("t", { signal: "stop" as never }))).toBe("VALIDATION");
    expect(await rejects(full.engine.getSummary("t", { attempt: 0 }))).toBe("VALIDATION");
    expect(await rejects(full.engine.setSummary(lease, undefined as never))).toBe("VALIDATION");
    // VALIDATION comes before UNSUPPORTED for a malformed wait on a backend without frameTail (C1).
    expect(await rejects(backend.engine.readFrames("t", { waitMs: 1.5 }))).toBe("VALIDATION");
  });

  it("runs a partial driver that implements only its declared capabilities' methods, answering the rest UNSUPPORTED with the capability (section 7)", async () => {
    // Typed as the partial facets a third party writes: no `{} as …` stubs for what it leaves out.
    const facets: DriverFacets = { workflows: runsOnly() };
    const backend = defineBackend({
      name: "partial",
      capabilities: defineCapabilities({ runs: true }),
      facets: () => facets,
      migrate: async () => undefined,
      ping: async () => undefined,
      close: async () => undefined,
    });
    expect(await backend.workflows.getRun("r")).toBeNull();
    for (const [call, capability] of [
      [() => backend.workflows.appendEvents("r", [{ type: "t" }]), "events"],
      [() => backend.workflows.latestSnapshot("r"), "snapshots"],
      [() => backend.state.saveSnapshot({ executionId: "e", sequence: 1, state: null }), "kv"],
      [() => backend.engine.claim({ workerId: "w", queues: ["q"], leaseMs: 1000 }), "leases"],
      [() => backend.tokens.list(), "tokens"],
    ] as const) {
      const error = await call().then(
        () => expect.unreachable(`${capability} call succeeded`),
        (caught: unknown) => caught,
      );
      expect(MooringError.is(error, "UNSUPPORTED"), String(error)).toBe(true);
      expect((error as MooringError).details).toEqual({ capability });
    }
  });

  it("refuses a driver without a name, which every error and report is attributed to", () => {
    for (const name of ["", "  ", undefined as unknown as string]) {
      let error: unknown;
      try {
        defineBackend({ ...recordingDriver(), name });
      } catch (caught) {
        error = caught;
      }
      expect(MooringError.is(error, "VALIDATION"), String(error)).toBe(true);
      expect((error as MooringError).details).toEqual({ field: "driver.name" });
    }
  });

  it("refuses a driver that declares a capability but lacks one of its methods, naming the method", () => {
    const declaresKv = (): BackendDriver => ({
      name: "liar",
      capabilities: defineCapabilities({ runs: true, kv: true }),
      facets: () => ({ workflows: runsOnly(), state: { get: async () => null } }),
      migrate: async () => undefined,
      ping: async () => undefined,
      close: async () => undefined,
    });
    try {
      defineBackend(declaresKv());
      expect.unreachable();
    } catch (error) {
      expect(MooringError.is(error, "VALIDATION"), String(error)).toBe(true);
      expect((error as MooringError).details).toEqual({ field: "driver.facets.state.saveSnapshot" });
      expect((error as MooringError).message).toContain('"kv"');
    }
  });

  it("migrateOnOpen migrates unless told not to, and closes the backend when migrating fails", async () => {
    const migrations: string[] = [];
    const opened = (failure?: Error): RecordingDriver => {
      const driver = recordingDriver();
      return Object.assign(driver, {
        migrate: async () => {
          migrations.push("migrate");
          if (failure) throw failure;
        },
      });
    };
    const migrated = opened();
    await migrateOnOpen(defineBackend(migrated), {});
    expect(migrations).toEqual(["migrate"]);
    expect(migrated.closed).toBe(0);
    await migrateOnOpen(defineBackend(opened()), { migrate: false });
    expect(migrations).toEqual(["migrate"]);
    const failing = opened(new Error("ledger edited"));
    expect(await rejects(migrateOnOpen(defineBackend(failing), { migrate: undefined }))).toBe("UNAVAILABLE");
    expect(migrations).toEqual(["migrate", "migrate"]);
    expect(failing.closed, "a backend whose migration failed is closed, not leaked").toBe(1);
  });

  it("wraps native failures so they never leak", async () => {
    const backend = defineBackend(
      recordingDriver({}, async () => {
        throw new TypeError("socket hang up");
      }),
    );
    try {
      await backend.workflows.getRun("r");
      expect.unreachable();
    } catch (error) {
      expect(MooringError.is(error, "UNAVAILABLE")).toBe(true);
      expect((error as MooringError).cause).toBeInstanceOf(TypeError);
      expect((error as MooringError).operation).toBe("workflows.getRun");
    }
  });

  it("lets the driver map its own errors", async () => {
    const driver = recordingDriver({}, async () => {
      throw Object.assign(new Error("busy"), { code: "SQLITE_BUSY" });
    });
    const backend = defineBackend({ ...driver, facets: (t) => driver.facets(t), mapError: () => new MooringError("TIMEOUT", "busy") });
    expect(await rejects(backend.workflows.getRun("r"))).toBe("TIMEOUT");
  });
});

describe("openBackend", () => {
  it("rejects unknown schemes and malformed URLs with VALIDATION", async () => {
    expect(await rejects(openBackend("mysql://localhost/db"))).toBe("VALIDATION");
    expect(await rejects(openBackend("not a url"))).toBe("VALIDATION");
  });

  it("names the package to install when it is missing", async () => {
    try {
      const missing = "@mooring/backend-that-is-not-installed";
      await importBackendModule(missing, () => import(missing) as Promise<never>, "postgres://user:secret@localhost/db");
      expect.unreachable();
    } catch (error) {
      expect(MooringError.is(error, "UNSUPPORTED")).toBe(true);
      expect((error as MooringError).message).toContain("@mooring/backend-that-is-not-installed");
      expect((error as MooringError).message).not.toContain("secret");
    }
  });

  it("redacts passwords", () => {
    expect(redact("postgres://u:pw@h:5432/d")).toBe("postgres://u:***@h:5432/d");
  });
});

interface RecordingDriver extends BackendDriver {
  readonly calls: string[];
  readonly tenants: string[];
  closed: number;
}

/** A driver whose every method records its call and runs `body`. */
function recordingDriver(
  overrides: { maxPayloadBytes?: number; capabilities?: BackendDriver["capabilities"] } = {},
  body: () => Promise<unknown> = async () => null,
): RecordingDriver {
  const calls: string[] = [];
  const tenants: string[] = [];
  const facet = (name: string) =>
    new Proxy(
      {},
      {
        get: (_target, method) => async () => {
          calls.push(`${name}.${String(method)}`);
          return body();
        },
      },
    );
  const driver: RecordingDriver = {
    name: "recording",
    capabilities: overrides.capabilities ?? ALL_CAPABILITIES,
    limits: overrides.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: overrides.maxPayloadBytes },
    calls,
    tenants,
    closed: 0,
    facets(tenantId: string): BackendFacets {
      tenants.push(tenantId);
      return {
        workflows: facet("workflows"),
        state: facet("state"),
        engine: facet("engine"),
        tenants: facet("tenants"),
        tokens: facet("tokens"),
      } as unknown as BackendFacets;
    },
    migrate: async () => undefined,
    ping: async () => undefined,
    close: async () => {
      driver.closed++;
    },
  };
  return driver;
}

describe("call order", () => {
  it("validates arguments before reading them for capability checks", async () => {
    const backend = defineBackend(recordingDriver());
    for (const call of [
      () => backend.engine.enqueue(undefined as never),
      () => backend.engine.enqueue(null as never),
      () => backend.engine.enqueueMany([null] as never),
      () => backend.workflows.commit("r", null as never),
      () => backend.engine.renew({ taskId: "t", epoch: 1, leaseId: "l" } as never, null as never),
      () => backend.engine.renew({ taskId: "t", epoch: 1 } as never),
    ]) {
      expect(await rejects(call())).toBe("VALIDATION");
    }
  });
});

/** Every method of the `runs` capability, each answering as if the store were empty. */
function runsOnly(): Partial<WorkflowStore> {
  const methods = Object.entries(CALL_RULES.workflows).filter(([, rule]) => rule.capability === "runs");
  return Object.fromEntries(methods.map(([method]) => [method, async () => null])) as Partial<WorkflowStore>;
}

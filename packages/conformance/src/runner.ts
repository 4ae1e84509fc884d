/**
 * The runner: runs checks against a backend and returns structured results (SPEC K1, K4). It has
 * no test-framework dependency: `describeConformance` binds it to vitest, and the `mooring`
 * command and the kit's self-test (K5) call it directly.
 *
 * Per check the runner makes a fresh namespace and a fresh ManualClock, calls `create` with them,
 * and closes every backend it created (the check's and every `connect()`), whether the check
 * passed, failed or timed out. A check on the backend's own clock (`clock: "backend"`) gets no
 * ManualClock: `create` receives `clock: undefined` and the backend keeps its own time (SPEC C3).
 * A check whose backend does not declare a capability it requires is reported "not-declared",
 * never "passed" (SPEC section 7).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { type Backend, CAPABILITY_NAMES, type CapabilityName, type Capabilities, hasCapability, ManualClock, MooringError } from "@mooring/core";
import { ALL_CHECKS } from "./checks/index.js";
import { PropertyFailure, randomSeed, resolvePropertySettings } from "./fast-check.js";
import { CHECK_IDLE_MS, CheckTimeout, HANG_MS, Heartbeat, withinHangBound } from "./hang.js";
import type { BackendClockContext, Check, CheckContext, CheckKind, PropertySettings } from "./registry.js";
import { type Area, RULES, ruleInfo } from "./rules.js";

/** What `create` receives: a namespace no other check uses, and the clock the check advances. */
export interface CreateContext {
  /**
   * The kit's manual clock, to inject so that every time decision uses it (SPEC C3). Undefined
   * for the checks of the backend's own clock: the backend must then keep its own time, the
   * server's for a server backend (Postgres `clock_timestamp()`, Redis `TIME`), `Date.now()`
   * otherwise. Passing it on as the factory's `clock` option does both.
   */
  readonly clock: ManualClock | undefined;
  /**
   * Fresh per check (lowercase letters, digits and `_`, at most 24 characters, so that it works as a
   * schema name or a key prefix). Calling `create` again with the same namespace must reach the
   * same store: that is how `CheckContext.connect()` opens another client.
   */
  readonly namespace: string;
}

/** What `teardown` receives: the namespace a check (or the capability probe) is done with. */
export interface TeardownContext {
  readonly namespace: string;
}

export interface ConformanceOptions {
  /** The name of the backend under test, as reports show it ("sqlite", "redis-cluster", …). */
  readonly name: string;
  /**
   * Opens a backend on `namespace` with `clock` injected, or on its own clock when `clock` is
   * undefined. The runner closes what it returns.
   */
  readonly create: (context: CreateContext) => Promise<Backend>;
  /**
   * Removes what the kit wrote under `namespace` (a schema, a key prefix, rows of a tenant), so
   * that a run leaves the store as it found it. Optional. Called once per namespace `create`
   * received, after every client of it was closed, whatever the check's outcome; a teardown that
   * throws fails the check it belongs to, with the error, so that a leak is seen.
   */
  readonly teardown?: (context: TeardownContext) => Promise<void>;
  /**
   * Checks not to run, keyed by check id ("E19.wait-for-work") or rule id ("E19", every check of
   * the rule); the value is the reason, which is mandatory and shown in every report.
   */
  readonly skip?: Readonly<Record<string, string>>;
  /** Runs only the checks it accepts, or only those of the listed rule ids (or check ids). */
  readonly only?: ((check: Check) => boolean) | readonly string[];
  /** Runs per property; `MOORING_FC_RUNS` overrides it; default 100 (SPEC K7). */
  readonly numRuns?: number;
  /** Seed of every property; `MOORING_FC_SEED` overrides it; default a fresh seed per check (K6). */
  readonly seed?: number;
  /** Replay path (with `seed`); `MOORING_FC_PATH` overrides it. */
  readonly path?: string;
  /** The checks to draw from; default every check of the kit (`ALL_CHECKS`). */
  readonly checks?: readonly Check[];
  /** Called with each result as soon as it is known. */
  readonly onResult?: (result: CheckResult) => void;
  /** How many checks run at once; default 1. Checks never share a namespace. */
  readonly concurrency?: number;
  /**
   * The hang detector: a check that makes no progress (no property run finishes, no bounded call
   * settles) for this many milliseconds of real time is reported "timed-out"; default 600 000.
   * It bounds the time without progress, not the check's length, so a slow machine never trips it.
   */
  readonly timeoutMs?: number;
  /** For replay commands; default the `name` of `./package.json` in the working directory. */
  readonly packageName?: string;
}

/**
 * `timed-out`: the check hit a hang detector (no progress for `timeoutMs`, or one call or event
 * that did not settle within the kit's hang bound); no rule was judged, but the run did not pass.
 */
export type CheckStatus = "passed" | "failed" | "timed-out" | "skipped" | "not-declared";

export interface CheckError {
  readonly message: string;
  /** The MooringError code when the failure was one (SPEC C4). */
  readonly code?: string;
  readonly stack?: string;
}

export interface CheckResult {
  readonly checkId: string;
  readonly rule: string;
  readonly area: Area;
  readonly title: string;
  readonly kind: CheckKind;
  readonly status: CheckStatus;
  /** Why it was skipped or not declared. */
  readonly reason?: string;
  readonly error?: CheckError;
  readonly durationMs: number;
  /** The fast-check seed, when the check ran a property. */
  readonly seed?: number;
  /** The one-line command that replays a failed property (SPEC K6). */
  readonly replay?: string;
}

/**
 * A rule's roll-up: `failed` if any of its checks failed; `timed-out` if none failed and one timed
 * out (the rule was not judged); `passed` if every check that ran passed and none was skipped
 * (checks of capabilities the backend does not declare are not the backend's to pass: they are
 * counted in `notDeclared`, and do not make the rule partial); `partial` if some passed and others
 * were skipped by the run's own skip list; `skipped` / `not-declared`
 * when none ran for that reason; `not-run` when the rule has checks but none was selected or
 * reached; `no-check` when the kit has no check for it (a visible gap).
 */
export type RuleStatus = "passed" | "failed" | "timed-out" | "partial" | "skipped" | "not-declared" | "not-run" | "no-check";

export interface RuleSummary {
  readonly rule: string;
  readonly area: Area;
  readonly title: string;
  readonly status: RuleStatus;
  readonly passed: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly skipped: number;
  readonly notDeclared: number;
  /** The rule's checks that produced a result, in report order. */
  readonly checkIds: readonly string[];
}

/**
 * `untested`: declared, but no check that requires it ran to a verdict. A timed-out check judged
 * nothing, so it never makes a capability `failed`.
 */
export type CapabilityStatus = "passed" | "failed" | "untested" | "not-declared";

export interface CapabilitySummary {
  readonly capability: CapabilityName;
  /** Null when no backend could be opened to ask. */
  readonly declared: boolean | null;
  readonly status: CapabilityStatus;
  /** Results of the checks that require the capability. */
  readonly passed: number;
  readonly failed: number;
}

export interface ConformanceTotals {
  readonly checks: number;
  readonly passed: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly skipped: number;
  readonly notDeclared: number;
  readonly rules: Readonly<Record<RuleStatus, number>>;
}

export interface ConformanceReport {
  /** `ConformanceOptions.name`. */
  readonly backend: string;
  /** The `name` the backend itself reports, null when none could be opened. */
  readonly backendName: string | null;
  /** ISO 8601, wall-clock. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly results: readonly CheckResult[];
  readonly rules: readonly RuleSummary[];
  readonly capabilities: readonly CapabilitySummary[];
  readonly totals: ConformanceTotals;
}

/** What the runner will do with a check before running it. */
export type CheckPlan =
  | { readonly status: "run" }
  | { readonly status: "skipped"; readonly reason: string }
  | { readonly status: "not-declared"; readonly reason: string };


/**
 * Runs the selected checks and returns the report. Never rejects because a check failed; rejects
 * only for unusable options (an unknown skip key, a skip without a reason, a bad setting).
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const session = new ConformanceSession(options);
  await session.probe();
  const pending = [...session.selected];
  const worker = async (): Promise<void> => {
    for (let check = pending.shift(); check !== undefined; check = pending.shift()) await session.run(check);
  };
  const workers = Math.min(session.concurrency, Math.max(1, pending.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return session.report();
}

/**
 * One run of the kit against one backend: the selection, the skips, the property settings and the
 * results so far. `runConformance` drives it; test-framework bindings drive it check by check.
 */
export class ConformanceSession {
  readonly #options: ConformanceOptions;
  readonly #universe: readonly Check[];
  readonly #selected: readonly Check[];
  readonly #settings: PropertySettings;
  readonly #concurrency: number;
  readonly #timeoutMs: number;
  readonly #results = new Map<string, CheckResult>();
  readonly #startedAt = Date.now();
  readonly #startedTick = performance.now();
  #capabilities: Capabilities | null = null;
  #backendName: string | null = null;
  #probed: Promise<Capabilities | null> | null = null;

  constructor(options: ConformanceOptions) {
    if (typeof options.name !== "string" || options.name.trim() === "") throw new Error("runConformance: name must be a non-empty string");
    if (typeof options.create !== "function") throw new Error("runConformance: create must be a function");
    if (options.teardown !== undefined && typeof options.teardown !== "function") throw new Error("runConformance: teardown must be a function when given");
    this.#options = options;
    this.#universe = options.checks ?? ALL_CHECKS;
    const ids = new Set<string>();
    for (const check of this.#universe) {
      if (ids.has(check.id)) throw new Error(`runConformance: two checks have the id ${check.id}`);
      ids.add(check.id);
      ruleInfo(check.rule);
    }
    validateSkips(options.skip ?? {}, ids);
    this.#selected = select(this.#universe, options.only, ids);
    this.#concurrency = positiveInteger(options.concurrency ?? 1, "concurrency");
    this.#timeoutMs = positiveInteger(options.timeoutMs ?? CHECK_IDLE_MS, "timeoutMs");
    const packageName = options.packageName ?? packageNameOfWorkingDirectory();
    this.#settings = resolvePropertySettings({
      ...(options.numRuns === undefined ? {} : { numRuns: options.numRuns }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.path === undefined ? {} : { path: options.path }),
      ...(packageName === undefined ? {} : { packageName }),
    });
  }

  /** The checks this session runs, in report order. */
  get selected(): readonly Check[] {
    return this.#selected;
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** The property settings every check gets (seed filled per check when none is set). */
  get propertySettings(): PropertySettings {
    return this.#settings;
  }

  /**
   * Opens one backend on a fresh namespace to learn its name and capabilities, then closes it.
   * Resolves null (and each check then opens its own backend and reports the failure) when
   * `create` fails: a test file may only be able to open backends once its hooks ran.
   */
  probe(): Promise<Capabilities | null> {
    this.#probed ??= (async () => {
      let backend: Backend | undefined;
      const namespace = newNamespace();
      try {
        backend = await this.#options.create({ clock: new ManualClock(), namespace });
        this.#learn(backend);
        return this.#capabilities;
      } catch {
        return null;
      } finally {
        if (backend) await closeWithin(backend).catch(() => undefined);
        // A failed teardown of the probe is seen again, and reported, by the first check's own.
        await this.#teardown(namespace).catch(() => undefined);
      }
    })();
    return this.#probed;
  }

  /** What `run(check)` will do, as far as it is known without opening a backend. */
  plan(check: Check): CheckPlan {
    const skip = this.#options.skip ?? {};
    const reason = skip[check.id] ?? skip[check.rule];
    if (reason !== undefined) return { status: "skipped", reason };
    if (this.#capabilities) {
      const missing = missingCapabilities(check, this.#capabilities);
      if (missing.length > 0) return { status: "not-declared", reason: notDeclaredReason(missing) };
    }
    return { status: "run" };
  }

  /** Runs one check (or records its skip), records the result and returns it. */
  async run(check: Check): Promise<CheckResult> {
    const plan = this.plan(check);
    const result = plan.status === "run" ? await this.#execute(check) : this.#resultOf(check, { status: plan.status, reason: plan.reason, durationMs: 0 });
    this.record(result);
    return result;
  }

  /** Records a result produced outside `run` (a binding's own skip); the last one per check wins. */
  record(result: CheckResult): void {
    this.#results.set(result.checkId, result);
    this.#options.onResult?.(result);
  }

  /** The report of every result so far, in report order, with the rule and capability roll-ups. */
  report(): ConformanceReport {
    const results = this.#universe.flatMap((check) => {
      const result = this.#results.get(check.id);
      return result ? [result] : [];
    });
    const rules = summarizeRules(this.#universe, results);
    const capabilities = summarizeCapabilities(this.#universe, results, this.#capabilities);
    const count = (status: CheckStatus): number => results.filter((result) => result.status === status).length;
    const ruleCounts = { passed: 0, failed: 0, "timed-out": 0, partial: 0, skipped: 0, "not-declared": 0, "not-run": 0, "no-check": 0 } satisfies Record<RuleStatus, number>;
    for (const rule of rules) ruleCounts[rule.status]++;
    return {
      backend: this.#options.name,
      backendName: this.#backendName,
      startedAt: new Date(this.#startedAt).toISOString(),
      durationMs: Math.round(performance.now() - this.#startedTick),
      results,
      rules,
      capabilities,
      totals: {
        checks: results.length,
        passed: count("passed"),
        failed: count("failed"),
        timedOut: count("timed-out"),
        skipped: count("skipped"),
        notDeclared: count("not-declared"),
        rules: ruleCounts,
      },
    };
  }

  #learn(backend: Backend): void {
    if (this.#capabilities) return;
    this.#capabilities = backend.capabilities;
    this.#backendName = backend.name;
  }

  #resultOf(check: Check, outcome: Omit<CheckResult, "checkId" | "rule" | "area" | "title" | "kind">): CheckResult {
    return {
      checkId: check.id,
      rule: check.rule,
      area: ruleInfo(check.rule).area,
      title: check.title,
      kind: check.kind,
      ...outcome,
    };
  }

  /** The adapter's teardown of `namespace`, under the same hang bound as a close. */
  async #teardown(namespace: string): Promise<void> {
    const teardown = this.#options.teardown;
    if (teardown) await withinHangBound(teardown({ namespace }), `teardown({ namespace: "${namespace}" })`);
  }

  async #execute(check: Check): Promise<CheckResult> {
    // Checks on in-process backends settle every promise as a microtask: give the event loop a
    // turn between checks, so that timers and messages (a test framework's own) get through.
    await nextTurn();
    const started = performance.now();
    const heartbeat = new Heartbeat();
    const kitClock = new ManualClock();
    const clock = check.clock === "backend" ? undefined : kitClock;
    const namespace = newNamespace();
    /** The check's namespace first, then any `openNamespace()` made: each is torn down at the end. */
    const namespaces = [namespace];
    const opened: Backend[] = [];
    let finished = false;
    const open = async (where = namespace): Promise<Backend> => {
      const backend = await this.#options.create({ clock, namespace: where });
      if (finished) {
        // A connect() that resolved after the check timed out: close it rather than leak it.
        await closeWithin(backend).catch(() => undefined);
        throw new Error("the check has already finished");
      }
      opened.push(backend);
      return backend;
    };

    const seed = this.#settings.seed ?? randomSeed();
    const property: PropertySettings = { ...this.#settings, seed };
    let propertyUsed = false;
    let failure: unknown;
    let notDeclared: string | undefined;

    try {
      let backend: Backend;
      try {
        backend = await open();
      } catch (error) {
        throw new Error(`create({ namespace: "${namespace}" }) failed: ${describe(error)}`, { cause: error });
      }
      this.#learn(backend);
      const missing = missingCapabilities(check, backend.capabilities);
      if (missing.length > 0) {
        notDeclared = notDeclaredReason(missing);
      } else {
        let counter = 0;
        const base = randomBytes(4).toString("hex");
        const context: BackendClockContext = {
          checkId: check.id,
          backend,
          namespace,
          connect: () => open(),
          openNamespace: () => {
            const other = newNamespace();
            namespaces.push(other);
            return open(other);
          },
          unique: (prefix: string) => `${prefix}-${base}${(counter++).toString(36)}`,
          get property(): PropertySettings {
            propertyUsed = true;
            return property;
          },
          progress: () => heartbeat.beat(),
        };
        await heartbeat.watch(runCheck(check, context, kitClock), this.#timeoutMs, check.id);
      }
    } catch (error) {
      failure = error;
    } finally {
      finished = true;
    }

    const cleanupFailures: string[] = [];
    let cleanupTimedOut = false;
    for (const backend of opened.reverse()) {
      try {
        await closeWithin(backend);
      } catch (error) {
        cleanupTimedOut ||= error instanceof CheckTimeout;
        cleanupFailures.push(`close() failed: ${describe(error)}`);
      }
    }

    for (const done of namespaces) {
      try {
        await this.#teardown(done);
      } catch (error) {
        cleanupTimedOut ||= error instanceof CheckTimeout;
        cleanupFailures.push(`teardown({ namespace: "${done}" }) failed: ${describe(error)}`);
      }
    }

    const durationMs = Math.round(performance.now() - started);
    const propertyFields =
      failure instanceof PropertyFailure
        ? { seed: failure.seed, replay: failure.replay }
        : propertyUsed
          ? { seed }
          : {};
    if (failure === undefined && cleanupFailures.length > 0) {
      return this.#resultOf(check, {
        status: cleanupTimedOut ? "timed-out" : "failed",
        error: { message: cleanupFailures.join("; ") },
        durationMs,
        ...propertyFields,
      });
    }
    if (failure !== undefined) {
      const error = toCheckError(failure);
      const message = cleanupFailures.length > 0 ? `${error.message}\n(and ${cleanupFailures.join("; ")})` : error.message;
      return this.#resultOf(check, { status: timedOut(failure) ? "timed-out" : "failed", error: { ...error, message }, durationMs, ...propertyFields });
    }
    if (notDeclared !== undefined) return this.#resultOf(check, { status: "not-declared", reason: notDeclared, durationMs });
    return this.#resultOf(check, { status: "passed", durationMs, ...propertyFields });
  }
}

/**
 * Runs `check` with the context of its clock: as given for a check on the backend's own clock,
 * with the kit's clock (the one `create` received) added for any other.
 */
function runCheck(check: Check, context: BackendClockContext, kitClock: ManualClock): Promise<void> {
  if (check.clock === "backend") return check.run(context);
  // Object.assign copies `clock` in and leaves the lazy `property` getter of `context` alone.
  const withClock: CheckContext = Object.assign(context, { clock: kitClock });
  return check.run(withClock);
}

export function missingCapabilities(check: Check, capabilities: Capabilities): CapabilityName[] {
  return check.requires.filter((capability) => !hasCapability(capabilities, capability));
}

/** Whether `failure` is a hang detector's verdict, directly or as the cause of a failed property. */
function timedOut(failure: unknown): boolean {
  if (failure instanceof CheckTimeout) return true;
  return failure instanceof PropertyFailure && failure.cause instanceof CheckTimeout;
}

function notDeclaredReason(missing: readonly CapabilityName[]): string {
  return `the backend does not declare ${missing.map((name) => `"${name}"`).join(", ")}`;
}

function validateSkips(skip: Readonly<Record<string, string>>, checkIds: ReadonlySet<string>): void {
  const ruleIds = new Set(RULES.map((rule) => rule.id));
  const unknown: string[] = [];
  for (const [key, reason] of Object.entries(skip)) {
    if (!checkIds.has(key) && !ruleIds.has(key)) unknown.push(key);
    if (typeof reason !== "string" || reason.trim() === "") throw new Error(`runConformance: skip["${key}"] needs a reason (a non-empty string)`);
  }
  if (unknown.length > 0) throw new Error(`runConformance: skip names no known check or rule: ${unknown.join(", ")}`);
}

function select(universe: readonly Check[], only: ConformanceOptions["only"], checkIds: ReadonlySet<string>): readonly Check[] {
  if (only === undefined) return universe;
  if (typeof only === "function") return universe.filter((check) => only(check));
  const ruleIds = new Set(RULES.map((rule) => rule.id));
  const unknown = only.filter((id) => !ruleIds.has(id) && !checkIds.has(id));
  if (unknown.length > 0) throw new Error(`runConformance: only names no known check or rule: ${unknown.join(", ")}`);
  const wanted = new Set(only);
  return universe.filter((check) => wanted.has(check.rule) || wanted.has(check.id));
}

function summarizeRules(universe: readonly Check[], results: readonly CheckResult[]): RuleSummary[] {
  return RULES.map((info) => {
    const own = results.filter((result) => result.rule === info.id);
    const tally = (status: CheckStatus): number => own.filter((result) => result.status === status).length;
    const passed = tally("passed");
    const failed = tally("failed");
    const timedOutCount = tally("timed-out");
    const skipped = tally("skipped");
    const notDeclared = tally("not-declared");
    let status: RuleStatus;
    if (!universe.some((check) => check.rule === info.id)) status = "no-check";
    else if (own.length === 0) status = "not-run";
    else if (failed > 0) status = "failed";
    else if (timedOutCount > 0) status = "timed-out";
    else if (passed > 0 && skipped === 0) status = "passed";
    else if (passed > 0) status = "partial";
    else if (skipped > 0) status = "skipped";
    else status = "not-declared";
    return { rule: info.id, area: info.area, title: info.title, status, passed, failed, timedOut: timedOutCount, skipped, notDeclared, checkIds: own.map((result) => result.checkId) };
  });
}

function summarizeCapabilities(universe: readonly Check[], results: readonly CheckResult[], declared: Capabilities | null): CapabilitySummary[] {
  const requires = new Map(universe.map((check) => [check.id, check.requires]));
  return CAPABILITY_NAMES.map((capability) => {
    const own = results.filter((result) => requires.get(result.checkId)?.includes(capability) === true);
    const passed = own.filter((result) => result.status === "passed").length;
    const failed = own.filter((result) => result.status === "failed").length;
    const isDeclared = declared === null ? null : hasCapability(declared, capability);
    const status: CapabilityStatus = isDeclared === false ? "not-declared" : failed > 0 ? "failed" : passed > 0 ? "passed" : "untested";
    return { capability, declared: isDeclared, status, passed, failed };
  });
}

function toCheckError(error: unknown): CheckError {
  if (MooringError.is(error)) {
    return {
      message: `${error.code} from ${error.backend} ${error.operation || "(unknown operation)"}: ${error.message}`,
      code: error.code,
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  if (error instanceof Error) {
    const code = error instanceof PropertyFailure ? error.code : undefined;
    return {
      message: error.message,
      ...(code === undefined ? {} : { code }),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  return { message: `a non-error value was thrown: ${describe(error)}` };
}

function describe(error: unknown): string {
  if (MooringError.is(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`runConformance: ${field} must be a positive integer, got ${String(value)}`);
  return value;
}

/** A namespace no other check uses: `kit_` and 16 hex digits. */
export function newNamespace(): string {
  return `kit_${randomBytes(8).toString("hex")}`;
}

function packageNameOfWorkingDirectory(): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8")) as { name?: unknown };
    return typeof manifest.name === "string" && manifest.name !== "" ? manifest.name : undefined;
  } catch {
    return undefined;
  }
}

function closeWithin(backend: Backend): Promise<void> {
  return withinHangBound(backend.close(), "close()", HANG_MS);
}

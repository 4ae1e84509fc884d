/**
 * fast-check settings of the kit (SPEC K6, K7): how many runs a property gets, how a failure is
 * replayed, and the one helper every property check runs its property through, so that every
 * failing property prints its seed, its path, its counterexample and a one-line replay command.
 */
import fc from "fast-check";
import { MooringError } from "@mooring/core";
import type { CheckContext, PropertySettings } from "./registry.js";

/** Runs per property when neither `MOORING_FC_RUNS` nor the runner's `numRuns` says otherwise. */
export const DEFAULT_NUM_RUNS = 100;

/** The environment variables the kit reads. */
export const FC_ENV = Object.freeze({
  runs: "MOORING_FC_RUNS",
  seed: "MOORING_FC_SEED",
  path: "MOORING_FC_PATH",
});

/** Explicit settings, e.g. from `runConformance` options. */
export interface PropertySettingsInput {
  readonly numRuns?: number;
  readonly seed?: number;
  readonly path?: string;
  readonly packageName?: string;
}

/**
 * The settings for one run of the kit. The environment wins over explicit values: a soak run
 * (`MOORING_FC_RUNS=10000`) must scale up even a test file that pins `numRuns`, and a replay
 * command (`MOORING_FC_SEED=… MOORING_FC_PATH=…`) must reproduce a failure whatever the test file
 * says. @throws Error when a variable is set to something unusable, rather than silently ignoring it.
 */
export function resolvePropertySettings(
  input: PropertySettingsInput = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): PropertySettings {
  const numRuns = parseIntegerVariable(env, FC_ENV.runs, 1) ?? input.numRuns ?? DEFAULT_NUM_RUNS;
  if (!Number.isSafeInteger(numRuns) || numRuns < 1) throw new Error(`numRuns must be a positive integer, got ${String(numRuns)}`);
  const seed = parseIntegerVariable(env, FC_ENV.seed, -(2 ** 31)) ?? input.seed;
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${String(seed)}`);
  const envPath = env[FC_ENV.path];
  const path = envPath !== undefined && envPath !== "" ? envPath : input.path;
  if (path !== undefined && !/^\d+(:\d+)*$/.test(path)) {
    throw new Error(`a fast-check path is colon-separated integers (e.g. "3:0:1"), got ${JSON.stringify(path)}`);
  }
  if (path !== undefined && seed === undefined) throw new Error(`a fast-check path replays only with its seed: set ${FC_ENV.seed} too`);
  return Object.freeze({
    numRuns,
    ...(seed === undefined ? {} : { seed }),
    ...(path === undefined ? {} : { path }),
    ...(input.packageName === undefined ? {} : { packageName: input.packageName }),
  });
}

function parseIntegerVariable(env: Readonly<Record<string, string | undefined>>, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

/** A fresh 32-bit seed, so that every run of a property is reproducible from what it reports. */
export function randomSeed(): number {
  return (Math.random() * 2 ** 32) | 0;
}

/**
 * The one-line command that replays a failure of `checkId` (SPEC K6). `extra` holds further
 * variables a property needs to replay (e.g. the replay path of `fc.commands`).
 */
export function replayCommand(
  checkId: string,
  seed: number,
  path: string | undefined,
  packageName?: string,
  extra: Readonly<Record<string, string>> = {},
): string {
  const variables = [
    ...Object.entries(extra).map(([name, value]) => `${name}='${value}'`),
    `${FC_ENV.seed}=${seed}`,
    ...(path === undefined ? [] : [`${FC_ENV.path}=${path}`]),
  ].join(" ");
  const vitest = `vitest run -t ${JSON.stringify(checkId)}`;
  return packageName === undefined ? `${variables} npx ${vitest}` : `${variables} pnpm --filter ${packageName} exec ${vitest}`;
}

const COUNTEREXAMPLE_LIMIT = 4000;

/**
 * A property that failed. The runner records `seed` and `replay` on the check's result; the
 * message holds all of it, so a failure read in any log can be replayed. `cause` is the error
 * the property threw on the counterexample.
 */
export class PropertyFailure extends Error {
  override readonly name = "PropertyFailure";
  readonly seed: number;
  readonly path: string | null;
  readonly counterexample: string | null;
  readonly replay: string;
  /** The MooringError code of the underlying failure, when the backend threw one. */
  readonly code: string | undefined;

  constructor(details: { checkId: string; seed: number; path: string | null; counterexample: string | null; replay: string; numRuns: number; numShrinks: number; problem: string; cause: unknown }) {
    const lines = [
      `property ${details.checkId} failed after ${details.numRuns} run(s) and ${details.numShrinks} shrink(s): ${details.problem}`,
      `seed: ${details.seed}`,
      `path: ${details.path ?? "(none)"}`,
      `counterexample: ${details.counterexample ?? "(none)"}`,
      `replay: ${details.replay}`,
    ];
    super(lines.join("\n"), details.cause === undefined ? undefined : { cause: details.cause });
    this.seed = details.seed;
    this.path = details.path;
    this.counterexample = details.counterexample;
    this.replay = details.replay;
    this.code = MooringError.is(details.cause) ? details.cause.code : undefined;
  }
}

/** Parameters a check may set for one property besides the kit's settings. */
export interface PropertyOptions {
  /**
   * Multiplies the kit's run count for this property (at least one run), for properties whose
   * single run is much heavier or lighter than the norm. Default 1.
   */
  readonly scale?: number;
  /** Cap on fast-check's shrinking time per failure, in real milliseconds. */
  readonly skipAllAfterTimeLimit?: number;
  /**
   * Further environment variables the replay command must set, read once the property has
   * failed and shrunk (`fc.commands` replays only with its own replay path).
   */
  readonly replayVariables?: () => Readonly<Record<string, string>>;
}

/**
 * Runs `property` with the kit's settings (runs, seed, path) and resolves when it holds.
 * Uses `fc.check` (the engine of `fc.assert`) to get the run details as data.
 * Call it at most once per check: a replay path belongs to one property.
 * @throws PropertyFailure naming the seed, the path, the counterexample and the replay command.
 */
export async function assertProperty<Ts>(
  context: Pick<CheckContext, "checkId" | "property"> & Partial<Pick<CheckContext, "progress">>,
  property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>,
  options: PropertyOptions = {},
): Promise<void> {
  const settings = context.property;
  const seed = settings.seed ?? randomSeed();
  const numRuns = Math.max(1, Math.round(settings.numRuns * (options.scale ?? 1)));
  const parameters: fc.Parameters<Ts> = {
    numRuns,
    seed,
    ...(settings.path === undefined ? {} : { path: settings.path }),
    ...(options.skipAllAfterTimeLimit === undefined ? {} : { skipAllAfterTimeLimit: options.skipAllAfterTimeLimit }),
  };
  const raw = property as fc.IRawProperty<Ts>;
  const details = await fc.check(context.progress === undefined ? raw : reportingProgress(raw, context.progress), parameters);
  if (!details.failed) return;
  const path = details.counterexamplePath;
  const replay = replayCommand(context.checkId, details.seed, path ?? undefined, settings.packageName, options.replayVariables?.() ?? {});
  const counterexample = details.counterexample === null ? null : truncate(fc.stringify(details.counterexample), COUNTEREXAMPLE_LIMIT);
  const problem = details.interrupted
    ? "interrupted"
    : details.errorInstance !== null
      ? describeError(details.errorInstance)
      : "too many skipped values (pre-conditions rejected too many inputs)";
  throw new PropertyFailure({
    checkId: context.checkId,
    seed: details.seed,
    path,
    counterexample,
    replay,
    numRuns: details.numRuns,
    numShrinks: details.numShrinks,
    problem,
    cause: details.errorInstance ?? undefined,
  });
}

/**
 * `property`, telling `progress` after each run: the runner's hang detector then bounds the time
 * without progress, not the length of the whole property, and an async property yields the event
 * loop between runs.
 */
function reportingProgress<Ts>(property: fc.IRawProperty<Ts>, progress: () => Promise<void>): fc.IRawProperty<Ts> {
  if (!property.isAsync()) {
    const sync = property as fc.IRawProperty<Ts, false>;
    return {
      isAsync: () => false,
      generate: (random, runId) => sync.generate(random, runId),
      shrink: (value) => sync.shrink(value),
      run: (value) => {
        const outcome = sync.run(value);
        // A synchronous property cannot wait for a turn of the event loop; the beat still counts.
        void progress();
        return outcome;
      },
      runBeforeEach: () => sync.runBeforeEach(),
      runAfterEach: () => sync.runAfterEach(),
    } satisfies fc.IRawProperty<Ts, false>;
  }
  const async = property as fc.IRawProperty<Ts, true>;
  return {
    isAsync: () => true,
    generate: (random, runId) => async.generate(random, runId),
    shrink: (value) => async.shrink(value),
    run: async (value) => {
      const outcome = await async.run(value);
      await progress();
      return outcome;
    },
    runBeforeEach: () => async.runBeforeEach(),
    runAfterEach: () => async.runAfterEach(),
  } satisfies fc.IRawProperty<Ts, true>;
}

function describeError(error: unknown): string {
  if (MooringError.is(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length - limit} more characters)`;
}

/**
 * Which backends a command works on: `--backend` values (URLs, `label=URL`, or a bare kind for its
 * default), and for `mooring conformance` without `--backend`, the default set: memory, a
 * temporary SQLite file, Postgres and Redis when a URL is given in the environment or a server
 * answers on the default local port, and Redis Cluster from its URL, else an ephemeral cluster
 * started from the local `redis-server` and `redis-cli` (SPEC section 9's order, without
 * containers). The only thing the command provisions is that cluster and the SQLite file, both
 * temporary: `releaseSpec` stops and removes them when the command ends, whether it passed,
 * failed or was interrupted. A Postgres or Redis the user has not got is left out, not started.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { redact, supportedSchemes } from "@mooring/core";
import { DEFAULT_POSTGRES, DEFAULT_REDIS, URL_VARIABLES } from "@mooring/testing/defaults";
import { missingCommands, REDIS_BINARIES } from "@mooring/testing/ephemeral-redis";
import { EphemeralRedisCluster } from "@mooring/testing/redis-cluster";
import { BACKEND_KINDS, type BackendKind } from "@mooring/testing/require";
import { describeError, UsageError } from "./io.js";

export { BACKEND_KINDS, type BackendKind, requiredKinds } from "@mooring/testing/require";
export { URL_VARIABLES } from "@mooring/testing/defaults";

export interface BackendSpec {
  /** The matrix column and the report file name: the kind, `label=` of the argument, or `kind-2`… */
  readonly label: string;
  readonly kind: BackendKind;
  /** The URL that opens it, as given (with its password, if any). */
  readonly url: string;
  /** The URL for people: the password replaced by `***`. */
  readonly display: string;
  /**
   * `argument` and `environment` backends were asked for: one that cannot be opened is an error.
   * A `default` one was found by probing and is left out, with the reason, when it cannot.
   */
  readonly origin: "argument" | "environment" | "default";
  /** A directory this command created for the backend and removes when it is done. */
  readonly temporaryDirectory?: string;
  /** Servers this command started for the backend (an ephemeral cluster), stopped when it is done. */
  readonly started?: StartedServers;
}

/** Servers a command started, which `releaseSpec` stops. */
export interface StartedServers {
  /** What runs where, for the "Backends" listing: "ephemeral: 3 masters … stopped afterwards". */
  readonly description: string;
  /** Stops the servers and removes their files. */
  stop(): Promise<void>;
}

/** Why a default backend is or is not in the run, for the "Backends" listing. */
export interface DiscoveryNote {
  readonly kind: BackendKind;
  readonly found: boolean;
  readonly detail: string;
}

/**
 * Where a server is looked for when its variable is unset. The redis-cluster has no default
 * address: without its variable, the command starts an ephemeral one.
 */
const DEFAULT_SERVERS = { postgres: DEFAULT_POSTGRES, redis: DEFAULT_REDIS } as const;

/** How long a default port may take to accept a connection before it counts as not answering. */
const PROBE_TIMEOUT_MS = 500;

const SCHEME_KINDS: Readonly<Record<string, BackendKind>> = {
  "memory:": "memory",
  "sqlite:": "sqlite",
  "postgres:": "postgres",
  "postgresql:": "postgres",
  "redis:": "redis",
  "rediss:": "redis",
  "redis+cluster:": "redis-cluster",
};

const URL_EXAMPLES = "memory:, sqlite:./file.db, sqlite::memory:, postgres://user@host:5432/db, redis://host:6379, rediss://host:6380, redis+cluster://host:7000,host:7001";

/** `redis+cluster://[user:password@]host:port,host:port[/…][?query]` (WHATWG URL rejects a host list). */
const CLUSTER_URL = /^redis\+cluster:\/\/(?:[^@/?#]*@)?[^/?#]+(?:\/[^?#]*)?(?:\?[^#]*)?$/;

/** `label=URL`: a label of letters, digits, `_`, `.` and `-`, starting with a letter. */
const LABELLED = /^([A-Za-z][\w.-]*)=(.+)$/;

/**
 * The kind of backend a URL opens.
 * @throws UsageError for something that is not a backend URL or has an unknown scheme
 */
export function kindOfUrl(url: string): BackendKind {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*:)/.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) throw new UsageError(`"${redact(url)}" is not a backend URL; write one of ${URL_EXAMPLES}`);
  const kind = SCHEME_KINDS[scheme];
  if (kind === undefined) {
    throw new UsageError(`unknown backend scheme "${scheme}" in ${redact(url)}; known: ${Object.keys(supportedSchemes()).join(" ")}`);
  }
  if (kind === "redis-cluster") {
    if (!CLUSTER_URL.test(url)) throw new UsageError(`${redact(url)} is not a cluster URL: write redis+cluster://host:port,host:port`);
  } else {
    try {
      new URL(url);
    } catch {
      throw new UsageError(`${redact(url)} is not a well-formed URL; write one of ${URL_EXAMPLES}`);
    }
  }
  return kind;
}

/**
 * The backends named by `--backend` values, in order. A value is a URL, `label=URL`, or a bare
 * kind (`memory`, `sqlite`, `postgres`, `redis`, `redis-cluster`) meaning that kind's default:
 * `sqlite` a temporary file, a server its environment variable or default local address, and
 * `redis-cluster` its variable, else an ephemeral cluster. The caller releases every spec
 * (`releaseSpec`); on a rejection, what was made is already released.
 * @throws UsageError for a bad URL, an unknown kind, a duplicate label, or a `redis-cluster`
 * without `MOORING_REDIS_CLUSTER_URL` on a machine without `redis-server` and `redis-cli`
 * @throws MooringError UNAVAILABLE when the ephemeral cluster does not start
 */
export async function resolveBackendArguments(values: readonly string[], env: NodeJS.ProcessEnv): Promise<BackendSpec[]> {
  // Everything is checked before the first temporary directory is made, so a mistake leaves none.
  const parsed = values.map((value) => {
    const labelled = LABELLED.exec(value);
    const target = labelled?.[2] ?? value;
    const bare = (BACKEND_KINDS as readonly string[]).includes(target) ? (target as BackendKind) : null;
    return { label: labelled?.[1] ?? null, bare, url: bare === null ? target : null, kind: bare ?? kindOfUrl(target) };
  });
  assertDistinctLabels(parsed.map((entry) => entry.label));
  for (const entry of parsed) {
    if (entry.bare !== null) await assertDefaultAvailable(entry.bare, env);
  }
  const specs: Omit<BackendSpec, "label">[] = [];
  try {
    for (const entry of parsed) {
      if (entry.url !== null) specs.push({ kind: entry.kind, url: entry.url, display: redact(entry.url), origin: "argument" });
      else specs.push(await defaultSpecOf(entry.kind, env));
    }
  } catch (error) {
    await Promise.all(specs.map((spec) => releaseSpec(spec)));
    throw error;
  }
  return labelSpecs(specs, parsed.map((entry) => entry.label));
}

/** @throws UsageError when `--backend <kind>` has no default to use (see `resolveBackendArguments`) */
async function assertDefaultAvailable(kind: BackendKind, env: NodeJS.ProcessEnv): Promise<void> {
  if (specFromVariable(kind, env) !== null || kind !== "redis-cluster") return;
  const missing = await missingCommands(REDIS_BINARIES, env);
  if (missing.length > 0) {
    throw new UsageError(`--backend redis-cluster needs ${URL_VARIABLES[kind]}, or ${REDIS_BINARIES.join(" and ")} to start an ephemeral cluster: ${missingOnPath(missing)}`);
  }
}

/** The default of a bare `--backend <kind>`, checked by `assertDefaultAvailable` first. */
async function defaultSpecOf(kind: BackendKind, env: NodeJS.ProcessEnv): Promise<Omit<BackendSpec, "label">> {
  if (kind === "memory") return { kind, url: "memory:", display: "memory:", origin: "argument" };
  if (kind === "sqlite") return temporarySqlite("argument");
  const fromVariable = specFromVariable(kind, env);
  if (fromVariable !== null) return fromVariable;
  if (kind === "redis-cluster") return ephemeralCluster("argument", env);
  const server = DEFAULT_SERVERS[kind];
  return { kind, url: server.url, display: server.url, origin: "argument" };
}

/**
 * The backend named by `kind`'s environment variable, or null when it is unset or empty.
 * @throws UsageError when the variable holds a URL of another kind
 */
function specFromVariable(kind: BackendKind, env: NodeJS.ProcessEnv): Omit<BackendSpec, "label"> | null {
  const variable = kind === "memory" || kind === "sqlite" ? undefined : URL_VARIABLES[kind];
  const fromEnv = variable === undefined ? undefined : env[variable];
  if (fromEnv === undefined || fromEnv === "") return null;
  if (kindOfUrl(fromEnv) !== kind) throw new UsageError(`${variable} must be a ${kind} URL, got ${redact(fromEnv)}`);
  return { kind, url: fromEnv, display: redact(fromEnv), origin: "environment" };
}

async function temporarySqlite(origin: BackendSpec["origin"]): Promise<Omit<BackendSpec, "label">> {
  const directory = await mkdtemp(join(tmpdir(), "mooring-conformance-"));
  const url = `sqlite:${join(directory, "conformance.db")}`;
  return { kind: "sqlite", url, display: url, origin, temporaryDirectory: directory };
}

/**
 * Starts an ephemeral three-master cluster (`EphemeralRedisCluster`). Its directory is the spec's
 * temporary directory, so that a replay command names the kind rather than ports that are gone.
 * @throws MooringError UNAVAILABLE when it does not start (nothing is left running)
 */
async function ephemeralCluster(origin: BackendSpec["origin"], env: NodeJS.ProcessEnv): Promise<Omit<BackendSpec, "label"> & { readonly started: StartedServers }> {
  const cluster = await EphemeralRedisCluster.start({ env });
  const ports = cluster.nodes.map((node) => node.port).join(", ");
  return {
    kind: "redis-cluster",
    url: cluster.url,
    display: cluster.url,
    origin,
    temporaryDirectory: cluster.dir,
    started: {
      description: `ephemeral: ${cluster.nodes.length} redis-server masters on ports ${ports}, stopped afterwards`,
      stop: () => cluster.stop(),
    },
  };
}

/**
 * Ends what the command made for `spec`: stops the servers it started, then removes its
 * temporary directory. Resolves a warning for what could not be undone, else null; never rejects.
 */
export async function releaseSpec(spec: Omit<BackendSpec, "label"> & { readonly label?: string }): Promise<string | null> {
  const name = spec.label ?? spec.kind;
  try {
    await spec.started?.stop();
  } catch (error) {
    return `${name}: could not stop the servers started for it: ${describeError(error)}`;
  }
  if (spec.temporaryDirectory === undefined) return null;
  return rm(spec.temporaryDirectory, { recursive: true, force: true }).then(
    () => null,
    (error: unknown) => `${name}: could not remove ${spec.temporaryDirectory}: ${describeError(error)}`,
  );
}

/** What one server kind's discovery found: a backend to run, or none, and why either way. */
interface Discovered {
  readonly spec: Omit<BackendSpec, "label"> | null;
  readonly note: DiscoveryNote;
}

/**
 * The default set for `mooring conformance`: memory and a temporary SQLite file always; Postgres
 * and Redis from their environment variable, else when something accepts a connection on the
 * default local port; Redis Cluster from its variable, else an ephemeral cluster when
 * `redis-server` and `redis-cli` are on the PATH. Returns what was found and, for each kind, why
 * it is in or out. The caller releases every spec (`releaseSpec`).
 * @throws UsageError when a variable holds a URL of another kind (nothing is left behind)
 */
export async function discoverBackends(env: NodeJS.ProcessEnv): Promise<{ specs: BackendSpec[]; notes: DiscoveryNote[] }> {
  const [postgres, redis, cluster] = await Promise.all([probeDefaultServer("postgres", env), probeDefaultServer("redis", env), planCluster(env)]);
  // Made after the probes, which may reject a malformed variable, so that a mistake leaves nothing behind.
  const specs: Omit<BackendSpec, "label">[] = [
    { kind: "memory", url: "memory:", display: "memory:", origin: "default" },
    await temporarySqlite("default"),
  ];
  const notes: DiscoveryNote[] = [
    { kind: "memory", found: true, detail: "in process" },
    { kind: "sqlite", found: true, detail: "a temporary file, removed afterwards" },
  ];
  for (const { spec, note } of [postgres, redis, cluster === "ephemeral" ? await startDefaultCluster(env) : cluster]) {
    if (spec) specs.push(spec);
    notes.push(note);
  }
  return { specs: labelSpecs(specs, specs.map(() => null)), notes };
}

/** Postgres or Redis from its variable, else the server on its default local port if one answers. */
async function probeDefaultServer(kind: "postgres" | "redis", env: NodeJS.ProcessEnv): Promise<Discovered> {
  const variable = URL_VARIABLES[kind];
  const fromVariable = specFromVariable(kind, env);
  if (fromVariable !== null) return { spec: fromVariable, note: { kind, found: true, detail: `from ${variable}` } };
  const server = DEFAULT_SERVERS[kind];
  const refused = await probeTcp(server.host, server.port, PROBE_TIMEOUT_MS);
  if (refused !== null) {
    return { spec: null, note: { kind, found: false, detail: `nothing answers on ${server.host}:${server.port} (${refused}); set ${variable}` } };
  }
  return {
    spec: { kind, url: server.url, display: server.url, origin: "default" },
    note: { kind, found: true, detail: `a server answers on ${server.host}:${server.port}; set ${variable} to choose another` },
  };
}

/** The cluster of `MOORING_REDIS_CLUSTER_URL`; else "ephemeral" when one can be started; else why not. */
async function planCluster(env: NodeJS.ProcessEnv): Promise<Discovered | "ephemeral"> {
  const kind = "redis-cluster";
  const variable = URL_VARIABLES[kind];
  const fromVariable = specFromVariable(kind, env);
  if (fromVariable !== null) return { spec: fromVariable, note: { kind, found: true, detail: `from ${variable}` } };
  const missing = await missingCommands(REDIS_BINARIES, env);
  if (missing.length === 0) return "ephemeral";
  return { spec: null, note: { kind, found: false, detail: `${variable} is not set, and ${missingOnPath(missing)} to start an ephemeral cluster` } };
}

/** Starts the default ephemeral cluster; a cluster that does not start is left out with the reason. */
async function startDefaultCluster(env: NodeJS.ProcessEnv): Promise<Discovered> {
  const kind = "redis-cluster";
  const variable = URL_VARIABLES[kind];
  try {
    const spec = await ephemeralCluster("default", env);
    return { spec, note: { kind, found: true, detail: `${spec.started.description}; set ${variable} to use another` } };
  } catch (error) {
    return { spec: null, note: { kind, found: false, detail: `${variable} is not set, and an ephemeral cluster did not start: ${describeError(error)}` } };
  }
}

/** "redis-cli is not on the PATH", "redis-server and redis-cli are not on the PATH". */
function missingOnPath(commands: readonly string[]): string {
  return `${commands.join(" and ")} ${commands.length === 1 ? "is" : "are"} not on the PATH`;
}

/**
 * Resolves null when `host:port` accepts a TCP connection within `timeoutMs`, else the reason
 * ("ECONNREFUSED", "no answer within 500 ms").
 */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (reason: string | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.once("connect", () => finish(null));
    socket.once("error", (error) => finish(describeError(error)));
  });
}

/** @throws UsageError when two `label=URL` arguments share a label (their reports would collide) */
function assertDistinctLabels(labels: readonly (string | null)[]): void {
  const given = labels.filter((label): label is string => label !== null);
  const duplicate = given.find((label, index) => given.indexOf(label) !== index);
  if (duplicate !== undefined) throw new UsageError(`two backends are labelled "${duplicate}"`);
}

/** Gives every spec its label: the one given, else its kind, numbered from 2 when taken. */
function labelSpecs(specs: readonly Omit<BackendSpec, "label">[], labels: readonly (string | null)[]): BackendSpec[] {
  assertDistinctLabels(labels);
  const used = new Set(labels.filter((label): label is string => label !== null));
  return specs.map((spec, index) => {
    let label = labels[index] ?? spec.kind;
    if (labels[index] === null) {
      for (let n = 2; used.has(label); n++) label = `${spec.kind}-${n}`;
      used.add(label);
    }
    return { ...spec, label };
  });
}

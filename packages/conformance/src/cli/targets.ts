/**
 * Which backends a command works on: `--backend` values (URLs, `label=URL`, or a bare kind for its
 * default), and for `mooring conformance` without `--backend`, the default set: memory, a
 * temporary SQLite file, and Postgres, Redis and Redis Cluster when a URL is given in the
 * environment or a server answers on the default local port (SPEC section 9's order, without
 * containers or ephemeral servers: the command tests what the user has, it provisions nothing).
 */
import { mkdtemp } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { redact, supportedSchemes } from "@mooring/core";
import { describeError, UsageError } from "./io.js";

export const BACKEND_KINDS = ["memory", "sqlite", "postgres", "redis", "redis-cluster"] as const;

export type BackendKind = (typeof BACKEND_KINDS)[number];

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
}

/** Why a default backend is or is not in the run, for the "Backends" listing. */
export interface DiscoveryNote {
  readonly kind: BackendKind;
  readonly found: boolean;
  readonly detail: string;
}

/** The environment variable that names each server backend's URL (SPEC section 9). */
export const URL_VARIABLES: Readonly<Partial<Record<BackendKind, string>>> = {
  postgres: "MOORING_POSTGRES_URL",
  redis: "MOORING_REDIS_URL",
  "redis-cluster": "MOORING_REDIS_CLUSTER_URL",
};

/** Where a server is looked for when its variable is unset (the redis-cluster has no default). */
const DEFAULT_SERVERS: Readonly<Partial<Record<BackendKind, { readonly host: string; readonly port: number; readonly url: string }>>> = {
  postgres: { host: "127.0.0.1", port: 5432, url: "postgres://postgres@127.0.0.1:5432/test" },
  redis: { host: "127.0.0.1", port: 6379, url: "redis://127.0.0.1:6379" },
};

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
 * `sqlite` a temporary file, a server its environment variable or default local address.
 * @throws UsageError for a bad URL, an unknown kind, a duplicate label, or a `redis-cluster`
 * without `MOORING_REDIS_CLUSTER_URL`
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
    if (entry.bare !== null && entry.bare !== "sqlite") await defaultSpecOf(entry.bare, env);
  }
  const specs: Omit<BackendSpec, "label">[] = [];
  for (const entry of parsed) {
    if (entry.url !== null) specs.push({ kind: entry.kind, url: entry.url, display: redact(entry.url), origin: "argument" });
    else specs.push(await defaultSpecOf(entry.kind, env));
  }
  return labelSpecs(specs, parsed.map((entry) => entry.label));
}

async function defaultSpecOf(kind: BackendKind, env: NodeJS.ProcessEnv): Promise<Omit<BackendSpec, "label">> {
  if (kind === "memory") return { kind, url: "memory:", display: "memory:", origin: "argument" };
  if (kind === "sqlite") return temporarySqlite("argument");
  const variable = URL_VARIABLES[kind];
  const fromEnv = variable === undefined ? undefined : env[variable];
  if (fromEnv !== undefined && fromEnv !== "") {
    if (kindOfUrl(fromEnv) !== kind) throw new UsageError(`${variable} must be a ${kind} URL, got ${redact(fromEnv)}`);
    return { kind, url: fromEnv, display: redact(fromEnv), origin: "environment" };
  }
  const server = DEFAULT_SERVERS[kind];
  if (server === undefined) throw new UsageError(`--backend ${kind} needs ${variable ?? "a URL"}: there is no default ${kind} address`);
  return { kind, url: server.url, display: server.url, origin: "argument" };
}

async function temporarySqlite(origin: BackendSpec["origin"]): Promise<Omit<BackendSpec, "label">> {
  const directory = await mkdtemp(join(tmpdir(), "mooring-conformance-"));
  const url = `sqlite:${join(directory, "conformance.db")}`;
  return { kind: "sqlite", url, display: url, origin, temporaryDirectory: directory };
}

/**
 * The default set for `mooring conformance`: memory and a temporary SQLite file always; Postgres
 * and Redis from their environment variable, else when something accepts a connection on the
 * default local port; Redis Cluster only from its variable. Returns what was found and, for each
 * kind, why it is in or out.
 */
export async function discoverBackends(env: NodeJS.ProcessEnv): Promise<{ specs: BackendSpec[]; notes: DiscoveryNote[] }> {
  const servers = await Promise.all(
    (["postgres", "redis", "redis-cluster"] as const).map(async (kind) => {
      const variable = URL_VARIABLES[kind] ?? "";
      const fromEnv = env[variable];
      if (fromEnv !== undefined && fromEnv !== "") {
        if (kindOfUrl(fromEnv) !== kind) throw new UsageError(`${variable} must be a ${kind} URL, got ${redact(fromEnv)}`);
        return { spec: { kind, url: fromEnv, display: redact(fromEnv), origin: "environment" as const }, note: { kind, found: true, detail: `from ${variable}` } };
      }
      const server = DEFAULT_SERVERS[kind];
      if (server === undefined) return { spec: null, note: { kind, found: false, detail: `${variable} is not set` } };
      const refused = await probeTcp(server.host, server.port, PROBE_TIMEOUT_MS);
      if (refused !== null) {
        return { spec: null, note: { kind, found: false, detail: `nothing answers on ${server.host}:${server.port} (${refused}); set ${variable}` } };
      }
      return {
        spec: { kind, url: server.url, display: server.url, origin: "default" as const },
        note: { kind, found: true, detail: `a server answers on ${server.host}:${server.port}; set ${variable} to choose another` },
      };
    }),
  );
  // Made after the probes, which may reject a malformed variable, so that a mistake leaves no directory.
  const specs: Omit<BackendSpec, "label">[] = [
    { kind: "memory", url: "memory:", display: "memory:", origin: "default" },
    await temporarySqlite("default"),
  ];
  const notes: DiscoveryNote[] = [
    { kind: "memory", found: true, detail: "in process" },
    { kind: "sqlite", found: true, detail: "a temporary file, removed afterwards" },
  ];
  for (const { spec, note } of servers) {
    if (spec) specs.push(spec);
    notes.push(note);
  }
  return { specs: labelSpecs(specs, specs.map(() => null)), notes };
}

/** The kinds `MOORING_REQUIRE` lists (SPEC section 9): a default backend of these that is missing is an error. */
export function requiredKinds(env: NodeJS.ProcessEnv): Set<BackendKind> {
  const listed = (env.MOORING_REQUIRE ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  return new Set(listed.filter((part): part is BackendKind => (BACKEND_KINDS as readonly string[]).includes(part)));
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

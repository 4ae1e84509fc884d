/**
 * `openBackend(url)`: picks the backend package by URL scheme and imports it lazily, so an
 * application depends only on the packages of the backends it uses.
 */
import type { Clock } from "./clock.js";
import type { Backend } from "./contracts/backend.js";
import { MooringError } from "./errors.js";
import { credentialsOf, maskSecrets } from "./secrets.js";

/** Options every backend factory takes. */
export interface CommonBackendOptions {
  /**
   * Time source (SPEC C3). Absent or `undefined`: the backend's own clock (the server's for a server
   * backend, `Date.now()` otherwise); `undefined` is accepted so that a caller holding an optional
   * clock (the conformance kit's `create`) passes it on as it is.
   */
  readonly clock?: Clock | undefined;
  /** A schema or key prefix, so that independent deployments share one server. */
  readonly namespace?: string;
  /** Run `migrate()` while opening; default true. */
  readonly migrate?: boolean;
  /** Largest JSON payload or byte value, default 1 MiB (SPEC C1). */
  readonly maxPayloadBytes?: number;
}

/** What a backend package exports for `openBackend`. */
export interface BackendModule {
  /**
   * Opens a backend from its URL, as given to `openBackend`. A string, because not every backend
   * URL is a WHATWG URL (`redis+cluster://a:1,b:2` lists several hosts); `parseBackendUrl` parses
   * the ones that are.
   */
  openFromUrl(url: string, options: CommonBackendOptions): Promise<Backend>;
}

interface SchemeEntry {
  readonly packageName: string;
  readonly load: () => Promise<BackendModule>;
}

// The specifiers are literals so that bundlers see them; each package is an optional install.
const SCHEMES: Readonly<Record<string, SchemeEntry>> = {
  "memory:": { packageName: "@mooring/backend-memory", load: () => import("@mooring/backend-memory" as string) as Promise<BackendModule> },
  "sqlite:": { packageName: "@mooring/backend-sqlite", load: () => import("@mooring/backend-sqlite" as string) as Promise<BackendModule> },
  "postgres:": { packageName: "@mooring/backend-postgres", load: () => import("@mooring/backend-postgres" as string) as Promise<BackendModule> },
  "postgresql:": { packageName: "@mooring/backend-postgres", load: () => import("@mooring/backend-postgres" as string) as Promise<BackendModule> },
  "redis:": { packageName: "@mooring/backend-redis", load: () => import("@mooring/backend-redis" as string) as Promise<BackendModule> },
  "rediss:": { packageName: "@mooring/backend-redis", load: () => import("@mooring/backend-redis" as string) as Promise<BackendModule> },
  "redis+cluster:": { packageName: "@mooring/backend-redis", load: () => import("@mooring/backend-redis" as string) as Promise<BackendModule> },
};

/** The URL schemes `openBackend` knows, with the package each needs. */
export function supportedSchemes(): Record<string, string> {
  return Object.fromEntries(Object.entries(SCHEMES).map(([scheme, entry]) => [scheme, entry.packageName]));
}

/**
 * Opens a backend by URL: `memory:`, `sqlite:./file.db`, `sqlite::memory:`, `postgres://…`,
 * `redis://…`, `rediss://…`, `redis+cluster://host:port,host:port`.
 * @throws VALIDATION for a malformed URL or unknown scheme; UNSUPPORTED naming the package to
 * install when the backend's package is missing.
 */
export async function openBackend(url: string, options: CommonBackendOptions = {}): Promise<Backend> {
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new MooringError("VALIDATION", `not a backend URL: ${redact(url)} (expected a scheme such as memory: or postgres://)`, { operation: "openBackend" });
  }
  const entry = SCHEMES[scheme];
  if (!entry) {
    throw new MooringError("VALIDATION", `unknown backend scheme "${scheme}" in ${redact(url)}; known: ${Object.keys(SCHEMES).join(" ")}`, {
      operation: "openBackend",
    });
  }
  const module = await importBackendModule(entry.packageName, entry.load, url);
  return module.openFromUrl(url, options);
}

/**
 * Imports a backend package, turning "not installed" into an UNSUPPORTED error that names the
 * package to install. Exported for tests; `openBackend` is the public way in.
 */
export async function importBackendModule(packageName: string, load: () => Promise<BackendModule>, url: string): Promise<BackendModule> {
  try {
    return await load();
  } catch (error) {
    if (isModuleNotFound(error, packageName)) {
      throw new MooringError("UNSUPPORTED", `${redact(url)} needs the package ${packageName}: install it (pnpm add ${packageName})`, {
        operation: "openBackend",
        cause: error,
        details: { packageName },
      });
    }
    throw error;
  }
}

/** Parses a backend URL that is a WHATWG URL. @throws VALIDATION naming the URL (password redacted). */
export function parseBackendUrl(url: string): URL {
  try {
    return new URL(url);
  } catch (error) {
    throw new MooringError("VALIDATION", `not a backend URL: ${redact(url)}`, { operation: "openBackend", cause: error, secrets: credentialsOf(url) });
  }
}

function isModuleNotFound(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : "";
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && message.includes(packageName);
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return maskSecrets(url, credentialsOf(url));
  }
}

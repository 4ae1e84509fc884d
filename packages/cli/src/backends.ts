/**
 * Loads, on demand, the backend packages the command dispatches to, so that the command runs with
 * only the backends a user installed and a missing one (or its driver: better-sqlite3, pg,
 * ioredis are the backends' peer dependencies) is one clear message naming what to install.
 * What a backend's tables, ledgers and keys look like is the backend's own business: the command
 * calls its operations (core's `BackendOperations`) and nothing else.
 */
import type { BackendOperations } from "@mooring/core";
import type { BackendKind } from "./targets.js";

/** A package or driver the command needs is not installed. */
export class MissingModuleError extends Error {
  override readonly name = "MissingModuleError";
}

export type BackendPackage = "@mooring/backend-memory" | "@mooring/backend-sqlite" | "@mooring/backend-postgres" | "@mooring/backend-redis";

const PACKAGES: Readonly<Record<BackendKind, BackendPackage>> = {
  memory: "@mooring/backend-memory",
  sqlite: "@mooring/backend-sqlite",
  postgres: "@mooring/backend-postgres",
  redis: "@mooring/backend-redis",
  "redis-cluster": "@mooring/backend-redis",
};

const OPERATIONS = ["inspectServer", "readSchemaState", "openNamespaceRemover"] as const;

/**
 * The operations of the backend package of `kind`.
 * @throws MissingModuleError naming the package or driver to install, or the export an older package lacks
 */
export async function loadOperations(kind: BackendKind): Promise<BackendOperations> {
  const packageName = PACKAGES[kind];
  const module = await loadBackendPackage(packageName);
  for (const name of OPERATIONS) exportOf(module, packageName, name);
  if (!Array.isArray(module.NAMESPACE_URL_PARAMETERS)) throw new MissingModuleError(`${packageName} does not export NAMESPACE_URL_PARAMETERS: upgrade it`);
  return module as unknown as BackendOperations;
}

/**
 * Imports a backend package.
 * @throws MissingModuleError naming the package, or the driver it needs, to install
 */
export async function loadBackendPackage(name: BackendPackage): Promise<Record<string, unknown>> {
  try {
    const module: unknown = await import(name as string);
    return module as Record<string, unknown>;
  } catch (error) {
    const missing = missingModuleOf(error);
    if (missing === name) throw new MissingModuleError(`${name} is not installed: install it (pnpm add ${name})`, { cause: error });
    if (missing !== null) throw new MissingModuleError(`the ${missing} driver is not installed (${name} needs it): install it (pnpm add ${missing})`, { cause: error });
    throw error;
  }
}

/** A function exported by a backend package, or a MissingModuleError naming the export. */
export function exportOf(module: Record<string, unknown>, packageName: BackendPackage, name: string): (...args: never[]) => unknown {
  const member = module[name];
  if (typeof member !== "function") throw new MissingModuleError(`${packageName} does not export ${name}: upgrade it`);
  return member as (...args: never[]) => unknown;
}

/** The package a "cannot find" error names, or null for another error. */
function missingModuleOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : "";
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND" && !message.startsWith("Cannot find") && !message.startsWith("Failed to load url")) return null;
  return /(?:package|module|url) '?"?((?:@[^/'"\s]+\/)?[^/'"\s]+)/.exec(message)?.[1] ?? null;
}

/**
 * The kit's `create` for a backend URL (SPEC K1): every call with one namespace reaches one store,
 * so that `CheckContext.connect()` opens a second client of it, and what a check created is
 * removed once the last client of its namespace closes (or, for Redis, in one sweep at the end).
 *
 * - `memory:` — one `MemoryStore` per namespace: a memory URL cannot name a shared store.
 * - `sqlite:FILE` — every namespace in the one file; a namespace is removed when it is done.
 * - `sqlite::memory:` — one in-memory database per namespace, shared by its clients.
 * - `postgres://` — a namespace (schema) is removed when it is done.
 * - `redis://`, `rediss://`, `redis+cluster://` — every namespace under one prefix of this run,
 *   all removed in one sweep at the end.
 *
 * Removing is the backend package's own `openNamespaceRemover` (core's `BackendOperations`).
 *
 * A cleanup that fails never fails a check: it is reported as a warning at the end.
 */
import { randomBytes } from "node:crypto";
import { type Backend, type BackendOperations, type Clock, type CommonBackendOptions, openBackend } from "@mooring/core";
import type { CreateContext } from "@mooring/conformance/runner";
import { exportOf, loadBackendPackage, loadOperations } from "./backends.js";
import { describeError, UsageError } from "./io.js";
import type { BackendSpec } from "./targets.js";
import { queryOf, withoutParameters } from "./urls.js";

export interface KitStore {
  readonly spec: BackendSpec;
  /** `ConformanceOptions.create` for this backend. */
  readonly create: (context: CreateContext) => Promise<Backend>;
  /** What the kit does differently from opening the URL as given (ignored parameters). */
  readonly notes: readonly string[];
  /** Warnings the backend raised while opening (an evicting Redis policy), each once. */
  warnings(): string[];
  /** Removes what the run left (idempotent); resolves the warnings of what could not be removed. */
  dispose(): Promise<string[]>;
}

/** The one member of a better-sqlite3 database the kit calls itself (the backend does the rest). */
interface MemoryDatabase {
  close(): unknown;
}

/** How one kind opens a client of a namespace and removes a namespace it is done with. */
interface StoreDriver {
  open(context: CreateContext): Promise<Backend>;
  /** Warnings the backend raised, each once. */
  readonly warnings?: ReadonlySet<string>;
  /** Called when the last client of `namespace` has closed. */
  release?(namespace: string): Promise<void>;
  /** Called once at the end, after every release. */
  finish?(): Promise<void>;
}

/**
 * Prepares the kit's `create` for `spec`. Loads the backend package (and the driver cleanup
 * needs) now, so that a missing one is reported before anything runs.
 * @throws UsageError for URL parameters the kit cannot honour; MissingModuleError
 */
export async function openKitStore(spec: BackendSpec): Promise<KitStore> {
  const operations = await loadOperations(spec.kind);
  const notes: string[] = [];
  const ignored = operations.NAMESPACE_URL_PARAMETERS.filter((name) => queryOf(spec.url).has(name));
  if (ignored.length > 0) notes.push(`the kit works in namespaces of its own; ${ignored.map((name) => `?${name}=`).join(" and ")} of the URL is not used`);
  const url = withoutParameters(spec.url, ignored);
  const driver = await storeDriverFor(spec, url, operations);
  return new TrackedStore(spec, driver, notes);
}

async function storeDriverFor(spec: BackendSpec, url: string, operations: BackendOperations): Promise<StoreDriver> {
  switch (spec.kind) {
    case "memory":
      return memoryDriver(url);
    case "sqlite":
      return url.startsWith("sqlite::memory:") ? sqliteMemoryDriver(url) : removingDriver(url, operations);
    case "postgres":
      return removingDriver(url, operations);
    case "redis":
    case "redis-cluster":
      return redisDriver(url, operations);
  }
}

/** Counts the open clients of each namespace and releases a namespace when its count drops to 0. */
class TrackedStore implements KitStore {
  readonly spec: BackendSpec;
  readonly notes: readonly string[];
  readonly #driver: StoreDriver;
  readonly #clients = new Map<string, number>();
  /** Namespaces a client was opened in: the only ones that can hold anything to remove. */
  readonly #used = new Set<string>();
  readonly #releases = new Set<Promise<void>>();
  readonly #warnings: string[] = [];
  #disposed: Promise<string[]> | null = null;

  constructor(spec: BackendSpec, driver: StoreDriver, notes: readonly string[]) {
    this.spec = spec;
    this.#driver = driver;
    this.notes = notes;
  }

  readonly create = async (context: CreateContext): Promise<Backend> => {
    if (this.#disposed) throw new Error(`the ${this.spec.label} store was disposed`);
    const { namespace } = context;
    this.#clients.set(namespace, (this.#clients.get(namespace) ?? 0) + 1);
    let backend: Backend;
    try {
      backend = await this.#driver.open(context);
    } catch (error) {
      this.#closed(namespace);
      throw error;
    }
    this.#used.add(namespace);
    let closing: Promise<void> | null = null;
    const close = (): Promise<void> => {
      closing ??= backend.close().finally(() => this.#closed(namespace));
      return closing;
    };
    return Object.freeze({ ...backend, close, [Symbol.asyncDispose]: close });
  };

  warnings(): string[] {
    return [...(this.#driver.warnings ?? [])];
  }

  dispose(): Promise<string[]> {
    this.#disposed ??= (async () => {
      // Namespaces whose clients never closed (an interrupted run) are released too.
      for (const namespace of [...this.#clients.keys()]) this.#release(namespace);
      this.#clients.clear();
      await Promise.all(this.#releases);
      // A server that was never reached holds nothing of this run: trying to clean it would only
      // add noise below the error that said it cannot be opened.
      if (this.#used.size === 0) return [...this.#warnings];
      try {
        await this.#driver.finish?.();
      } catch (error) {
        this.#warnings.push(`${this.spec.label}: cleanup failed: ${describeError(error)}`);
      }
      return [...this.#warnings];
    })();
    return this.#disposed;
  }

  #closed(namespace: string): void {
    // dispose() has released every namespace and ended the cleanup connections already.
    if (this.#disposed) return;
    const count = (this.#clients.get(namespace) ?? 1) - 1;
    if (count > 0) {
      this.#clients.set(namespace, count);
      return;
    }
    this.#clients.delete(namespace);
    this.#release(namespace);
  }

  #release(namespace: string): void {
    const release = this.#driver.release;
    if (!release || !this.#used.has(namespace)) return;
    // Through an async function, so that a release that throws at once is caught like one that rejects.
    const done = (async () => release.call(this.#driver, namespace))()
      .catch((error: unknown) => {
        this.#warnings.push(`${this.spec.label}: could not remove namespace ${namespace}: ${describeError(error)}`);
      })
      .finally(() => this.#releases.delete(done));
    this.#releases.add(done);
  }
}

// ---------------------------------------------------------------------------------------------
// memory:

async function memoryDriver(url: string): Promise<StoreDriver> {
  if (url !== "memory:") throw new UsageError(`the kit runs memory: with its default limits; ${url} has parameters`);
  const packageName = "@mooring/backend-memory";
  const module = await loadBackendPackage(packageName);
  const createMemoryBackend = exportOf(module, packageName, "createMemoryBackend") as unknown as (options: {
    clock: Clock | undefined;
    namespace: string;
    store: object;
  }) => Backend;
  const MemoryStore = exportOf(module, packageName, "MemoryStore") as unknown as new () => object;
  const stores = new Map<string, object>();
  return {
    open: ({ clock, namespace }) => {
      let store = stores.get(namespace);
      if (!store) stores.set(namespace, (store = new MemoryStore()));
      return Promise.resolve(createMemoryBackend({ clock, namespace, store }));
    },
    release: (namespace) => {
      stores.delete(namespace);
      return Promise.resolve();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// sqlite:, postgres://

/**
 * Opens the URL in each namespace and removes a namespace once its last client closed: a SQLite
 * file's schema stays small (every new connection parses it), and a server's schemas go as the
 * checks end. The remover's one connection ends at the finish.
 */
function removingDriver(url: string, operations: BackendOperations): StoreDriver {
  const remover = operations.openNamespaceRemover(url);
  return {
    open: ({ clock, namespace }) => openBackend(url, { clock, namespace }),
    release: (namespace) => remover.remove(namespace),
    finish: () => remover.close(),
  };
}

async function sqliteMemoryDriver(url: string): Promise<StoreDriver> {
  if (queryOf(url).size > 0) throw new UsageError(`the kit runs sqlite::memory: with the backend's defaults; ${url} has parameters`);
  const packageName = "@mooring/backend-sqlite";
  const module = await loadBackendPackage(packageName);
  const createSqliteBackend = exportOf(module, packageName, "createSqliteBackend") as unknown as (options: {
    database: MemoryDatabase;
    notifier: object;
    namespace: string;
    clock: Clock | undefined;
  }) => Backend;
  const SqliteNotifier = exportOf(module, packageName, "SqliteNotifier") as unknown as new () => object;
  const openMemoryDatabase = exportOf(module, packageName, "openMemoryDatabase") as unknown as () => MemoryDatabase;
  // An in-memory database lives in one connection: the clients of a namespace share it (and a
  // notifier, so that their wake-ups are immediate), as separate connections to a file would.
  const shared = new Map<string, { database: MemoryDatabase; notifier: object }>();
  return {
    open: ({ clock, namespace }) => {
      let entry = shared.get(namespace);
      if (!entry) shared.set(namespace, (entry = { database: openMemoryDatabase(), notifier: new SqliteNotifier() }));
      return Promise.resolve(createSqliteBackend({ database: entry.database, notifier: entry.notifier, namespace, clock }));
    },
    release: (namespace) => {
      shared.get(namespace)?.database.close();
      shared.delete(namespace);
      return Promise.resolve();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// redis://, rediss://, redis+cluster://

function redisDriver(url: string, operations: BackendOperations): StoreDriver {
  // The namespaces of this run share its prefix, so that one sweep at the end removes them all.
  const runPrefix = `mooring-kit-${randomBytes(4).toString("hex")}`;
  let used = false;
  // The backend reports server settings that put data at risk (an evicting maxmemory-policy) at
  // every open; collected here, they are printed once instead of once per check.
  const warnings = new Set<string>();
  const onWarning = (message: string): void => {
    warnings.add(message);
  };
  return {
    warnings,
    open: ({ clock, namespace }) => {
      used = true;
      // backend-redis's openFromUrl takes its own options beside the common ones.
      const options: CommonBackendOptions & { readonly onWarning: (message: string) => void } = { clock, namespace: `${runPrefix}.${namespace}`, onWarning };
      return openBackend(url, options);
    },
    finish: async () => {
      if (!used) return;
      const remover = operations.openNamespaceRemover(url);
      try {
        await remover.removeEveryStartingWith(`${runPrefix}.`);
      } finally {
        await remover.close();
      }
    },
  };
}

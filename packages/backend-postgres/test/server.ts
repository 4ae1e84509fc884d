/**
 * Postgres servers for tests (SPEC section 9), tried in this order:
 *
 * 1. `MOORING_POSTGRES_URL`, as given;
 * 2. a server answering on 127.0.0.1:5432 (database `test`, user `postgres`, no password);
 * 3. a container from testcontainers (`@testcontainers/postgresql`, image `postgres:15-alpine`)
 *    when a Docker engine is reachable (`DOCKER_HOST`, or a socket at /var/run/docker.sock);
 * 4. an ephemeral server: `initdb` into a temporary directory and `pg_ctl start` on a free port
 *    (as the `postgres` user when the tests run as root, since initdb refuses root), stopped and
 *    removed when the tests end. Binaries come from `MOORING_PG_BIN`, `pg_config --bindir`,
 *    /usr/lib/postgresql/<version>/bin or the PATH.
 *
 * When none can be had, the tests skip loudly with the reason, unless `MOORING_REQUIRE` (a comma
 * list) names `postgres`: then they fail. Fault tests always start their own ephemeral server and
 * never touch a shared one.
 *
 * Each test file names its schemas with its own random prefix (`SchemaNames`) and drops them after.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";

export interface TestServer {
  /** A connection string to a database the tests may create schemas in. */
  readonly url: string;
  /** How it was found, for messages. */
  readonly source: "MOORING_POSTGRES_URL" | "local server on 127.0.0.1:5432" | "testcontainers" | "ephemeral initdb/pg_ctl";
  /** Stops what the tests started (containers, ephemeral servers); nothing for shared servers. */
  stop(): Promise<void>;
}

const LOCAL_URL = "postgres://postgres@127.0.0.1:5432/test";

/** Whether `MOORING_REQUIRE` makes a missing Postgres a failure. */
export function postgresRequired(): boolean {
  return (process.env.MOORING_REQUIRE ?? "")
    .split(",")
    .map((name) => name.trim())
    .includes("postgres");
}

/** Whether a server answers `SELECT 1` at `url` within a couple of seconds. */
export async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function dockerReachable(): boolean {
  return process.env.DOCKER_HOST !== undefined || existsSync("/var/run/docker.sock");
}

async function startContainer(): Promise<TestServer> {
  const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
  const container = await new PostgreSqlContainer("postgres:15-alpine").withDatabase("test").start();
  return { url: container.getConnectionUri(), source: "testcontainers", stop: async () => void (await container.stop()) };
}

/**
 * Finds a server in the order of the module comment. Returns the reasons each way failed when
 * none worked.
 */
export async function findServer(): Promise<{ server: TestServer } | { server: null; reason: string }> {
  const tried: string[] = [];
  const explicit = process.env.MOORING_POSTGRES_URL;
  if (explicit) {
    if (await answers(explicit)) return { server: { url: explicit, source: "MOORING_POSTGRES_URL", stop: async () => undefined } };
    tried.push("MOORING_POSTGRES_URL does not answer");
  }
  if (await answers(LOCAL_URL)) return { server: { url: LOCAL_URL, source: "local server on 127.0.0.1:5432", stop: async () => undefined } };
  tried.push("nothing answers on 127.0.0.1:5432 (database test, user postgres)");
  if (dockerReachable()) {
    try {
      return { server: await startContainer() };
    } catch (error) {
      tried.push(`testcontainers failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    tried.push("no Docker engine for testcontainers (no DOCKER_HOST, no /var/run/docker.sock)");
  }
  try {
    const ephemeral = await EphemeralPostgres.start();
    return { server: { url: ephemeral.url, source: "ephemeral initdb/pg_ctl", stop: () => ephemeral.stop() } };
  } catch (error) {
    tried.push(`no ephemeral server: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { server: null, reason: tried.join("; ") };
}

/**
 * The server of a test file, or null with the reason after a loud warning (the file's suites then
 * skip, naming the reason in the skipped test's title).
 * @throws when none is found and `MOORING_REQUIRE` names postgres.
 */
export async function findTestServer(file: string): Promise<{ server: TestServer; reason: null } | { server: null; reason: string }> {
  const found = await findServer();
  if (found.server) return { server: found.server, reason: null };
  const message = `${file}: no Postgres server: ${found.reason}`;
  if (postgresRequired()) throw new Error(`${message} (MOORING_REQUIRE names postgres, so this is a failure)`);
  console.warn(`\n*** SKIPPING ${message} ***\n`);
  return { server: null, reason: found.reason };
}

/** The server of a test file, or null after a loud warning (see `findTestServer`). */
export async function serverForTests(file: string): Promise<TestServer | null> {
  return (await findTestServer(file)).server;
}

// ---------------------------------------------------------------------------------------------
// Schemas of one test file

/** Schema names with the test file's own random prefix, dropped together at the end. */
export class SchemaNames {
  readonly #url: string;
  readonly #prefix: string;
  readonly #created = new Set<string>();

  /** `tag`: a few lowercase letters naming the test file. */
  constructor(url: string, tag: string) {
    this.#url = url;
    this.#prefix = `t_${tag}_${randomBytes(3).toString("hex")}_`;
  }

  /** A schema name for `suffix` (lowercase, digits, `_`); the same suffix gives the same name. */
  name(suffix: string): string {
    const name = `${this.#prefix}${suffix}`;
    this.#created.add(name);
    return name;
  }

  /** Drops every schema named so far. */
  async dropAll(): Promise<void> {
    if (this.#created.size === 0) return;
    const client = new pg.Client({ connectionString: this.#url });
    client.on("error", () => undefined);
    await client.connect();
    try {
      for (const name of this.#created) await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(name)} CASCADE`);
      this.#created.clear();
    } finally {
      await client.end();
    }
  }
}

/**
 * Schemas for the conformance kit, which opens a backend on a fresh namespace for every check:
 * migrating a schema per check would cost more than the check. A namespace gets a schema the
 * file used before and emptied once every backend on it was closed (migrated already, so opening
 * it only checks the ledger), or a new one. Emptying deletes the rows, so the next check finds
 * the store as a fresh one: no rows, no listeners.
 */
export class RecycledSchemas {
  readonly #names: SchemaNames;
  readonly #byNamespace = new Map<string, string>();
  readonly #open = new Map<string, number>();
  readonly #free: string[] = [];
  readonly #pool: pg.Pool;
  #count = 0;

  constructor(url: string, tag: string) {
    this.#names = new SchemaNames(url, tag);
    this.#pool = new pg.Pool({ connectionString: url, max: 2 });
    this.#pool.on("error", () => undefined);
  }

  /**
   * Opens a backend on the schema of `namespace` with `open`; the same namespace reaches the same
   * schema until all its backends are closed.
   */
  async open<B extends { close(): Promise<void> }>(namespace: string, open: (schema: string) => Promise<B>): Promise<B> {
    let schema = this.#byNamespace.get(namespace);
    if (schema === undefined) {
      schema = this.#free.pop() ?? this.#names.name(`s${++this.#count}`);
      this.#byNamespace.set(namespace, schema);
    }
    const backend = await open(schema);
    this.#open.set(namespace, (this.#open.get(namespace) ?? 0) + 1);
    let closing: Promise<void> | null = null;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        await backend.close();
        const left = (this.#open.get(namespace) ?? 1) - 1;
        this.#open.set(namespace, left);
        if (left === 0) await this.#recycle(namespace);
      })();
      return closing;
    };
    return Object.freeze({ ...backend, close, [Symbol.asyncDispose]: close });
  }

  async #recycle(namespace: string): Promise<void> {
    const schema = this.#byNamespace.get(namespace);
    this.#open.delete(namespace);
    if (schema === undefined) return;
    const client = await this.#pool.connect();
    try {
      const tables = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'mooring_migrations'", [schema]);
      const quoted = pg.escapeIdentifier(schema);
      await client.query(`BEGIN; ${tables.rows.map((row) => `DELETE FROM ${quoted}.${pg.escapeIdentifier(row.tablename)};`).join(" ")} COMMIT;`);
      this.#free.push(schema);
    } finally {
      client.release();
    }
  }

  async dropAll(): Promise<void> {
    await this.#pool.end();
    await this.#names.dropAll();
  }
}

// ---------------------------------------------------------------------------------------------
// Ephemeral servers

function postgresBinDir(): string {
  const explicit = process.env.MOORING_PG_BIN;
  if (explicit) return explicit;
  try {
    const dir = execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
    if (existsSync(join(dir, "initdb"))) return dir;
  } catch {
    // pg_config is not installed; look where distributions put the binaries.
  }
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((entry) => existsSync(join(root, entry, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], "bin");
  }
  for (const dir of (process.env.PATH ?? "").split(":")) if (dir && existsSync(join(dir, "initdb"))) return dir;
  throw new Error("initdb not found (set MOORING_PG_BIN, or install PostgreSQL's server binaries)");
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * A PostgreSQL server of its own: initdb in a temporary directory, pg_ctl on a free port of
 * 127.0.0.1, its socket in that directory. `fsync=off`: these tests kill processes and servers,
 * never the machine, and a killed server still finds every committed transaction in the WAL the
 * operating system holds.
 */
export class EphemeralPostgres {
  readonly port: number;
  /** The superuser's password when the server requires one. */
  readonly password: string | null;
  readonly #dir: string;
  readonly #bin: string;
  readonly #asPostgres: boolean;
  readonly #onExit: () => void;
  #stopped = false;

  private constructor(dir: string, bin: string, port: number, asPostgres: boolean, password: string | null) {
    this.password = password;
    this.#dir = dir;
    this.#bin = bin;
    this.port = port;
    this.#asPostgres = asPostgres;
    // A test run that ends abruptly must not leave a server behind.
    this.#onExit = () => {
      if (!this.#stopped) this.#pgCtl(["stop", "-m", "immediate"]);
      rmSync(this.#dir, { recursive: true, force: true });
    };
    process.once("exit", this.#onExit);
  }

  /** `postgres://postgres[:password]@127.0.0.1:<port>/postgres`. */
  get url(): string {
    const credentials = this.password === null ? "postgres" : `postgres:${encodeURIComponent(this.password)}`;
    return `postgres://${credentials}@127.0.0.1:${this.port}/postgres`;
  }

  /** Starts a server; with `password`, it requires that password (scram-sha-256) of every client. */
  static async start(options: { readonly password?: string } = {}): Promise<EphemeralPostgres> {
    const bin = postgresBinDir();
    const asPostgres = process.getuid?.() === 0;
    const dir = mkdtempSync(join(tmpdir(), "mooring-pg-"));
    if (asPostgres) {
      const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
      execFileSync("chown", [`${uid}:${gid}`, dir]);
    }
    const password = options.password ?? null;
    const server = new EphemeralPostgres(dir, bin, await freePort(), asPostgres, password);
    try {
      const auth = ["-A", "trust"];
      if (password !== null) {
        const file = join(dir, "password");
        writeFileSync(file, `${password}\n`, { mode: 0o644 });
        auth.splice(0, 2, "-A", "scram-sha-256", `--pwfile=${file}`);
      }
      server.#run("initdb", ["-D", server.#data, ...auth, "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
      server.#pgCtl(["start", "-w", "-t", "60"]);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get #data(): string {
    return join(this.#dir, "data");
  }

  #run(program: string, args: readonly string[]): string {
    const command = join(this.#bin, program);
    const [file, argv] = this.#asPostgres ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, [...args]];
    const result = spawnSync(file, argv, { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${program} ${args.join(" ")} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
    return result.stdout;
  }

  #pgCtl(args: readonly string[]): string {
    const options = `-k ${this.#dir} -c listen_addresses=127.0.0.1 -p ${this.port} -c fsync=off -c max_connections=200`;
    return this.#run("pg_ctl", ["-D", this.#data, "-l", join(this.#dir, "server.log"), "-o", options, ...args]);
  }

  /** Stops the server (`immediate`: like a crash, or `fast`: rolls back and disconnects everyone). */
  shutdown(mode: "immediate" | "fast" = "fast"): void {
    this.#pgCtl(["stop", "-m", mode, "-w"]);
  }

  /** Starts it again on the same port and data. */
  startAgain(): void {
    this.#pgCtl(["start", "-w", "-t", "60"]);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    process.removeListener("exit", this.#onExit);
    try {
      this.#pgCtl(["stop", "-m", "immediate", "-w"]);
    } catch {
      // Not running (a failed start): only the directory is left to remove.
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/**
 * Postgres servers for tests (SPEC section 9), tried in this order:
 *
 * 1. `MOORING_POSTGRES_URL`, when it answers;
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
 * Each test file names its schemas with its own random prefix (`SchemaNames`) and drops them after;
 * a scenario drops the schema it made with `dropSchema`.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { DEFAULT_POSTGRES, URL_VARIABLES } from "./defaults.js";
import { type Found, findServer, type FoundServer } from "./discovery.js";
import { quoteIdentifier } from "./identifiers.js";
import { freePort } from "./ports.js";
import { skipLoudly } from "./require.js";

export { freePort };

/** A server the tests may create schemas in; `stop` ends only what was started for them. */
export type TestServer = FoundServer;

/** The local server SPEC section 9 looks for second: database `test`, user `postgres`, no password. */
export const DEFAULT_POSTGRES_URL = DEFAULT_POSTGRES.url;

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

/** Finds a server in the order of the module comment; the reasons each way failed when none worked. */
export function findPostgres(): Promise<Found> {
  return findServer({
    variable: URL_VARIABLES.postgres,
    local: { url: DEFAULT_POSTGRES_URL, source: "local server on 127.0.0.1:5432", absent: "nothing answers on 127.0.0.1:5432 (database test, user postgres)" },
    answers,
    startContainer: async () => {
      const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
      const container = await new PostgreSqlContainer("postgres:15-alpine").withDatabase("test").start();
      return { url: container.getConnectionUri(), source: "testcontainers", stop: async () => void (await container.stop()) };
    },
    startEphemeral: async () => {
      try {
        const ephemeral = await EphemeralPostgres.start();
        return { url: ephemeral.url, source: "ephemeral initdb/pg_ctl", stop: () => ephemeral.stop() };
      } catch (error) {
        return `no ephemeral server: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
  });
}

/**
 * The server of a test file, or null with the reason after a loud warning (the file's suites then
 * skip, naming the reason in the skipped test's title).
 * @throws when none is found and `MOORING_REQUIRE` names postgres.
 */
export async function findTestServer(file: string): Promise<{ server: TestServer; reason: null } | { server: null; reason: string }> {
  const found = await findPostgres();
  if (found.server) return { server: found.server, reason: null };
  skipLoudly("postgres", `${file}: Postgres tests`, found.reason);
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
      for (const name of this.#created) await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(name)} CASCADE`);
      this.#created.clear();
    } finally {
      await client.end();
    }
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
      // An exit handler cannot wait for a promise: the one synchronous call of the class.
      if (!this.#stopped) {
        const [file, argv] = this.#command("pg_ctl", this.#pgCtlArgs(["stop", "-m", "immediate"]));
        spawnSync(file, argv);
      }
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
      await server.#run("initdb", ["-D", server.#data, ...auth, "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
      await server.#pgCtl(["start", "-w", "-t", "60"]);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get #data(): string {
    return join(this.#dir, "data");
  }

  #command(program: string, args: readonly string[]): [string, string[]] {
    const command = join(this.#bin, program);
    return this.#asPostgres ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, [...args]];
  }

  /**
   * Runs a server program without blocking the event loop: under load, initdb and `pg_ctl -w`
   * take tens of seconds, and a test worker that blocks that long misses its test framework's
   * messages (vitest fails the package with `Timeout calling "onTaskUpdate"`).
   */
  #run(program: string, args: readonly string[]): Promise<string> {
    const [file, argv] = this.#command(program, args);
    return new Promise((resolve, reject) => {
      execFile(file, argv, { encoding: "utf8" }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${program} ${args.join(" ")} failed (${error.code ?? error.signal}): ${stderr || stdout}`));
        else resolve(stdout);
      });
    });
  }

  #pgCtlArgs(args: readonly string[]): string[] {
    const options = `-k ${this.#dir} -c listen_addresses=127.0.0.1 -p ${this.port} -c fsync=off -c max_connections=200`;
    return ["-D", this.#data, "-l", join(this.#dir, "server.log"), "-o", options, ...args];
  }

  #pgCtl(args: readonly string[]): Promise<string> {
    return this.#run("pg_ctl", this.#pgCtlArgs(args));
  }

  /** Stops the server (`immediate`: like a crash, or `fast`: rolls back and disconnects everyone). */
  async shutdown(mode: "immediate" | "fast" = "fast"): Promise<void> {
    await this.#pgCtl(["stop", "-m", mode, "-w"]);
  }

  /** Starts it again on the same port and data. */
  async startAgain(): Promise<void> {
    await this.#pgCtl(["start", "-w", "-t", "60"]);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    process.removeListener("exit", this.#onExit);
    try {
      await this.#pgCtl(["stop", "-m", "immediate", "-w"]);
    } catch {
      // Not running (a failed start): only the directory is left to remove.
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** Drops `schema` and everything in it (nothing when it does not exist). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Where `mooring conformance` finds its Redis Cluster (SPEC section 9's order):
 * `MOORING_REDIS_CLUSTER_URL`, else an ephemeral three-master cluster started from the local
 * `redis-server` and `redis-cli`, stopped and removed when the command ends (passed, failed or
 * interrupted); without the binaries, the column is left out with the reason, and under
 * `MOORING_REQUIRE=redis-cluster` that is an error. Real processes throughout.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { type CliIo, main } from "../src/program.js";
import { type BackendSpec, discoverBackends, probeTcp, releaseSpec } from "../src/targets.js";
import { missingCommands, REDIS_BINARIES } from "@mooring/testing/ephemeral-redis";
import { EphemeralRedisCluster } from "@mooring/testing/redis-cluster";

const runFile = promisify(execFile);

const directories: string[] = [];

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "mooring-targets-test-"));
  directories.push(directory);
  return directory;
}

afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

/** Runs `mooring <argv…>` in-process with exactly `env` (plus NO_COLOR). */
async function run(argv: string[], env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<{ status: number; stderr: string }> {
  let stderr = "";
  const io: CliIo = {
    stdout: { write: () => true },
    stderr: {
      write: (text: string) => {
        stderr += text;
        return true;
      },
    },
    env: { ...env, NO_COLOR: "1" },
    ...(signal ? { signal } : {}),
  };
  const status = await main(argv, io);
  return { status, stderr };
}

/** The environment of this process without the variables that choose servers, with `PATH`. */
function environment(path = process.env.PATH): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: path };
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("MOORING_") && name !== "PATH") env[name] = value;
  return env;
}

/** The ports the Backends listing names for the ephemeral cluster. */
function ephemeralPorts(listing: string): number[] {
  const ports = /ephemeral: 3 redis-server masters on ports ([\d, ]+), stopped afterwards/.exec(listing)?.[1];
  expect(ports, listing).toBeDefined();
  return (ports ?? "").split(", ").map(Number);
}

async function expectNothingListens(ports: readonly number[]): Promise<void> {
  for (const port of ports) expect(await probeTcp("127.0.0.1", port, 500), `port ${port}`).not.toBeNull();
}

async function releaseAll(specs: readonly BackendSpec[]): Promise<void> {
  expect(await Promise.all(specs.map((spec) => releaseSpec(spec)))).toEqual(specs.map(() => null));
}

/** The directory `command` runs from on this process's PATH. */
function binaryPath(command: string): string {
  const directory = (process.env.PATH ?? "").split(delimiter).find((entry) => entry !== "" && existsSync(join(entry, command)));
  if (directory === undefined) throw new Error(`${command} is not on the PATH`);
  return join(directory, command);
}

const missing = await missingCommands(REDIS_BINARIES);
if (missing.length > 0) {
  const message = `targets.test.ts: ${missing.join(" and ")} not installed: the ephemeral Redis Cluster tests are SKIPPED`;
  if ((process.env.MOORING_REQUIRE ?? "").split(",").some((kind) => kind.trim() === "redis-cluster")) throw new Error(`${message}, and MOORING_REQUIRE includes redis-cluster`);
  console.warn(`\n*** ${message} ***\n`);
}

describe.skipIf(missing.length > 0)("the Redis Cluster column without MOORING_REDIS_CLUSTER_URL", () => {
  it("is an ephemeral three-master cluster, every node ok, stopped and removed on release (SPEC section 9)", async () => {
    const { specs, notes } = await discoverBackends(environment());
    const cluster = specs.find((spec) => spec.kind === "redis-cluster");
    try {
      expect(cluster).toMatchObject({ label: "redis-cluster", origin: "default" });
      const ports = ephemeralPorts(notes.find((note) => note.kind === "redis-cluster")?.detail ?? "");
      expect(cluster?.url).toBe(`redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(",")}`);
      for (const port of ports) {
        const { stdout } = await runFile("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "CLUSTER", "INFO"]);
        expect(stdout).toContain("cluster_state:ok");
        expect(stdout).toMatch(/cluster_size:3\b/);
      }
      const directory = cluster?.temporaryDirectory ?? "";
      expect(existsSync(directory)).toBe(true);
      await releaseAll(specs);
      await expectNothingListens(ports);
      expect(existsSync(directory)).toBe(false);
    } finally {
      await Promise.all(specs.map((spec) => releaseSpec(spec)));
    }
  });

  it("runs the kit on `--backend redis-cluster`, lists it as ephemeral, and leaves nothing behind", async () => {
    const out = await temporaryDirectory();
    const { status, stderr } = await run(["conformance", "--backend", "redis-cluster", "--only", "S3", "--out", out], environment());
    expect(status, stderr).toBe(0);
    expect(stderr).toMatch(/✓ redis-cluster +redis\+cluster:\/\/127\.0\.0\.1:\d+,/);
    expect(stderr).toMatch(/redis-cluster: \d+ checks: \d+ passed, 0 failed/);
    await expectNothingListens(ephemeralPorts(stderr));
    const matrix = JSON.parse(await readFile(join(out, "matrix.json"), "utf8")) as { failures: unknown[] };
    expect(matrix.failures).toEqual([]);
  });

  it("is stopped and removed when the run is interrupted", async () => {
    const out = await temporaryDirectory();
    const { status, stderr } = await run(["conformance", "--backend", "redis-cluster", "--only", "S3", "--out", out], environment(), AbortSignal.abort());
    expect(status, stderr).toBe(130);
    await expectNothingListens(ephemeralPorts(stderr));
  });

  it("is stopped and removed when it cannot be joined, and discovery leaves it out with the reason", async () => {
    // A redis-cli that answers like the real one but refuses to create clusters, and records the
    // addresses it was asked to join.
    const bin = await temporaryDirectory();
    const joined = join(bin, "joined");
    await writeFile(
      join(bin, "redis-cli"),
      `#!/bin/sh\nif [ "$1" = "--cluster" ]; then echo "$@" > "${joined}"; echo "refused on purpose" >&2; exit 1; fi\nexec "${binaryPath("redis-cli")}" "$@"\n`,
    );
    await chmod(join(bin, "redis-cli"), 0o755);
    const env = environment(`${bin}${delimiter}${process.env.PATH ?? ""}`);
    const parent = await temporaryDirectory();

    await expect(EphemeralRedisCluster.start({ env, parent })).rejects.toMatchObject({ code: "UNAVAILABLE" });
    const ports = [...(await readFile(joined, "utf8")).matchAll(/127\.0\.0\.1:(\d+)/g)].map((match) => Number(match[1]));
    expect(ports).toHaveLength(3);
    await expectNothingListens(ports);
    expect(await readdir(parent)).toEqual([]);

    const { specs, notes } = await discoverBackends(env);
    await releaseAll(specs);
    expect(specs.map((spec) => spec.kind)).not.toContain("redis-cluster");
    expect(notes.find((note) => note.kind === "redis-cluster")).toMatchObject({ found: false, detail: expect.stringContaining("an ephemeral cluster did not start") });
  });
});

describe("the Redis Cluster column without its binaries", () => {
  it("is left out, saying which binaries are missing", async () => {
    const { specs, notes } = await discoverBackends(environment(await temporaryDirectory()));
    await releaseAll(specs);
    expect(specs.map((spec) => spec.kind)).not.toContain("redis-cluster");
    expect(notes.find((note) => note.kind === "redis-cluster")).toEqual({
      kind: "redis-cluster",
      found: false,
      detail: "MOORING_REDIS_CLUSTER_URL is not set, and redis-server and redis-cli are not on the PATH to start an ephemeral cluster",
    });
  });

  it.skipIf(missing.includes("redis-server"))("names the one binary that is missing", async () => {
    const bin = await temporaryDirectory();
    await symlink(binaryPath("redis-server"), join(bin, "redis-server"));
    const { specs, notes } = await discoverBackends(environment(bin));
    await releaseAll(specs);
    expect(notes.find((note) => note.kind === "redis-cluster")?.detail).toContain("and redis-cli is not on the PATH");
  });

  it("is an error under MOORING_REQUIRE=redis-cluster, and for `--backend redis-cluster`", async () => {
    const env = { ...environment(await temporaryDirectory()), MOORING_REQUIRE: "redis-cluster" };
    const required = await run(["conformance", "--only", "S3", "--out", await temporaryDirectory()], env);
    expect(required.status).toBe(2);
    expect(required.stderr).toContain("not found: MOORING_REDIS_CLUSTER_URL is not set, and redis-server and redis-cli are not on the PATH");
    expect(required.stderr).toContain("MOORING_REQUIRE lists redis-cluster, and none was found");

    const asked = await run(["conformance", "--backend", "redis-cluster", "--only", "S3"], environment(await temporaryDirectory()));
    expect(asked.status).toBe(2);
    expect(asked.stderr).toContain(
      "--backend redis-cluster needs MOORING_REDIS_CLUSTER_URL, or redis-server and redis-cli to start an ephemeral cluster: redis-server and redis-cli are not on the PATH",
    );
  });
});

describe("MOORING_REDIS_CLUSTER_URL", () => {
  it("is the cluster used, and nothing is started", async () => {
    const url = "redis+cluster://127.0.0.1:7000,127.0.0.1:7001";
    const { specs, notes } = await discoverBackends({ ...environment(), MOORING_REDIS_CLUSTER_URL: url });
    await releaseAll(specs);
    const cluster = specs.find((spec) => spec.kind === "redis-cluster");
    expect(cluster).toMatchObject({ url, origin: "environment" });
    expect(cluster?.started).toBeUndefined();
    expect(notes.find((note) => note.kind === "redis-cluster")).toEqual({ kind: "redis-cluster", found: true, detail: "from MOORING_REDIS_CLUSTER_URL" });
  });
});

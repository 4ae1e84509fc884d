/**
 * The `mooring` command, run in-process through `main(argv, io)` (SPEC K4: the matrix and the
 * JSON, Markdown and JUnit reports; section 9: servers found or asked for; doctor's verdicts).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pc from "picocolors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchReportView, isBenchReport, renderBenchChart } from "../src/bench-chart.js";
import { buildMatrix, hasFailures, renderMatrixMarkdown, renderMatrixTable } from "../src/matrix.js";
import { replayCommand } from "../src/conformance.js";
import { type CliIo, main } from "../src/program.js";
import { resolveBackendArguments } from "../src/targets.js";
import { queryOf, withoutParameters } from "../src/urls.js";
import { EphemeralRedis, missingCommands, REDIS_BINARIES } from "@mooring/testing/ephemeral-redis";
import { findPostgres } from "@mooring/testing/postgres";
import { skipLoudly } from "@mooring/testing/require";
import { ALL_CHECKS, type CheckResult, type ConformanceReport, DEFAULT_NUM_RUNS, defineCheck, runConformance } from "@mooring/conformance/runner";
import { createMemoryBackend } from "@mooring/backend-memory";
import { postgresOptionsFromUrl } from "@mooring/backend-postgres";
import { redisOptionsFromUrl } from "@mooring/backend-redis";

/** Collects what a command writes. */
class Collector {
  text = "";
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

function run(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const stdout = new Collector();
  const stderr = new Collector();
  const io: CliIo = { stdout, stderr, env: { NO_COLOR: "1" } };
  return main(argv, io).then((status) => ({ status, stdout: stdout.text, stderr: stderr.text }));
}

const directories: string[] = [];

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "mooring-cli-test-"));
  directories.push(directory);
  return directory;
}

afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe("mooring conformance", () => {
  it("runs the selected rules on memory:, prints the matrix and writes well-formed reports (SPEC K4)", async () => {
    const out = await temporaryDirectory();
    const rules = ["W1", "S3", "E6"];
    const expected = ALL_CHECKS.filter((check) => rules.includes(check.rule)).length;

    const { status, stdout, stderr } = await run(["conformance", "--backend", "memory:", "--only", rules.join(","), "--out", out, "--report", "md,json", "--report", "junit"]);

    expect(status, stderr).toBe(0);
    expect(stderr).toContain("✓ memory");
    expect(stderr).toContain(`memory: ${expected} checks: ${expected} passed, 0 failed`);
    for (const rule of rules) expect(stdout).toMatch(new RegExp(`│ ${rule} +│ .+│ pass +│`));
    expect(stdout).toMatch(/│ checks +│ \d+ passed +│/);
    expect(stdout).not.toContain("FAIL");

    const report = JSON.parse(await readFile(join(out, "conformance-memory.json"), "utf8")) as ConformanceReport;
    expect(report.backend).toBe("memory");
    expect(report.totals).toMatchObject({ checks: expected, passed: expected, failed: 0 });
    expect(report.rules.find((rule) => rule.rule === "W1")?.status).toBe("passed");

    const markdown = await readFile(join(out, "conformance-memory.md"), "utf8");
    expect(markdown.startsWith("# Mooring conformance: memory")).toBe(true);

    const junit = await readFile(join(out, "conformance-memory.xml"), "utf8");
    expect(junit.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(junit.match(/<testcase /g)).toHaveLength(expected);
    expect(junit).not.toContain("<failure");
    expect(junit.trimEnd().endsWith("</testsuites>")).toBe(true);

    const matrix = JSON.parse(await readFile(join(out, "matrix.json"), "utf8")) as ReturnType<typeof buildMatrix>;
    expect(matrix.backends.map((backend) => backend.label)).toEqual(["memory"]);
    expect(matrix.rules.find((row) => row.rule === "E6")?.cells.memory?.status).toBe("passed");
    expect(matrix.rules.find((row) => row.rule === "C1")?.cells.memory?.status).toBe("not-run");
    expect(matrix.failures).toEqual([]);
    const matrixMarkdown = await readFile(join(out, "matrix.md"), "utf8");
    expect(matrixMarkdown).toContain("| S3 | setIfAbsent / compareAndSet: exactly one winner | pass |");
  });

  it("exits 2 with a clear message for a URL of an unknown scheme", async () => {
    const { status, stderr } = await run(["conformance", "--backend", "nosuch://somewhere", "--only", "W1"]);
    expect(status).toBe(2);
    expect(stderr).toContain('unknown backend scheme "nosuch:"');
  });

  it("exits 2 naming the backend that cannot be opened and the fix, with no cleanup noise or empty header after it", async () => {
    const directory = await temporaryDirectory();
    const notADatabase = join(directory, "notes.txt");
    await writeFile(notADatabase, "not a database\n");
    const cases = [
      { url: `sqlite:${join(directory, "no-such-directory", "kit.db")}`, fix: "create it, or give a path in an existing directory" },
      { url: `sqlite:${notADatabase}`, fix: "point the backend at a database file or a new path" },
      // Port 1 on loopback: nothing listens there, so both drivers are refused at once.
      { url: "postgres://postgres@127.0.0.1:1/test", fix: "is the server running, and is the port right?" },
      { url: "redis://127.0.0.1:1", fix: "is the server running, and are the host and port right?" },
    ];
    for (const { url, fix } of cases) {
      const { status, stderr } = await run(["conformance", "--backend", url, "--only", "W1"]);
      expect(status, url).toBe(2);
      const lines = stderr.trim().split("\n");
      expect(lines, url).toHaveLength(1);
      expect(lines[0], url).toContain(`(${url}) cannot be opened`);
      expect(lines[0], url).toContain(fix);
    }
  });

  it("exits 2 for a selection or report format it does not know", async () => {
    const unknownRule = await run(["conformance", "--backend", "memory:", "--only", "Z99"]);
    expect(unknownRule.status).toBe(2);
    expect(unknownRule.stderr).toContain("Z99");
    const unknownFormat = await run(["conformance", "--backend", "memory:", "--report", "pdf"]);
    expect(unknownFormat.status).toBe(2);
    expect(unknownFormat.stderr).toContain('unknown report format "pdf"');
  });
});

/**
 * The command as installed, not in-process: `pnpm exec mooring` from the repository root, as a
 * user types it and as the matrix prints its rerun lines. It runs this package's build (turbo
 * builds it before these tests) through the `bin/mooring.js` that `pnpm install` linked.
 */
/**
 * No credential in a report or a log line (issue 14): URLs with a marker password, through the
 * commands that print and write what they saw of a backend.
 */
describe("mooring keeps passwords out of its output and reports", () => {
  const marker = `Mk${randomBytes(8).toString("hex")}Zq`;
  const clean = (text: string): string => text.replaceAll(marker, "<marker>");

  async function expectNoMarker(argv: string[], expectedStatus: number): Promise<string> {
    const out = await temporaryDirectory();
    const { status, stdout, stderr } = await run([...argv, ...(argv[0] === "conformance" ? ["--out", out] : [])]);
    expect(status, clean(stderr)).toBe(expectedStatus);
    expect(stdout.includes(marker), clean(stdout)).toBe(false);
    expect(stderr.includes(marker), clean(stderr)).toBe(false);
    for (const name of argv[0] === "conformance" ? await readdir(out) : []) {
      expect((await readFile(join(out, name), "utf8")).includes(marker), `${name} holds the password`).toBe(false);
    }
    return stderr;
  }

  it("a Postgres URL that opens (trust authentication ignores the password): matrix, reports and log", async (context) => {
    const found = await findPostgres();
    if (found.server === null) {
      skipLoudly("postgres", "the password check of mooring conformance", found.reason);
      return context.skip();
    }
    try {
      const url = new URL(found.server.url);
      url.password = marker;
      await expectNoMarker(["conformance", "--backend", url.href, "--only", "W1"], 0);
    } finally {
      await found.server.stop();
    }
  });

  it("Redis URLs that cannot be opened: a refused password, a malformed URL, a cluster URL without hosts; and doctor", async () => {
    expect(await expectNoMarker(["conformance", "--backend", `redis://u:${marker}@127.0.0.1:1`, "--only", "W1"], 2)).toContain("cannot be opened");
    await expectNoMarker(["conformance", "--backend", `redis://u:${marker}@[bad`, "--only", "W1"], 2);
    await expectNoMarker(["conformance", "--backend", `redis+cluster://:${marker}@`, "--only", "W1"], 2);
    await expectNoMarker(["doctor", "--backend", `redis://u:${marker}@127.0.0.1:1`], 1);
    await expectNoMarker(["doctor", "--backend", `postgres://postgres:${marker}@127.0.0.1:1/test`], 1);
  });
});

describe("the installed mooring command", () => {
  const repositoryRoot = fileURLToPath(new URL("../../..", import.meta.url));
  const shell = promisify(execFile);

  it("prints its help through pnpm exec from the repository root", async () => {
    const { stdout } = await shell("pnpm", ["exec", "mooring", "--help"], { cwd: repositoryRoot });
    expect(stdout).toContain("Usage: mooring");
    expect(stdout).toContain("conformance");
  });

  it("runs a printed rerun line as printed, from the repository root", async () => {
    const [memory] = await resolveBackendArguments(["memory"], {});
    const failed = { checkId: "T1.model-isolation", seed: 1234 } as CheckResult;
    const line = replayCommand(memory, failed, DEFAULT_NUM_RUNS);
    expect(line).toBe("MOORING_FC_SEED=1234 pnpm exec mooring conformance --backend memory: --only T1.model-isolation");
    const { stdout } = await shell("sh", ["-c", line], { cwd: repositoryRoot, env: { ...process.env, NO_COLOR: "1" } });
    expect(stdout).toMatch(/T1 +│? *Tenant/);
    expect(stdout).toContain("1 passed");
  });
});

describe("the matrix", () => {
  it("shows a failure as FAIL with a rerun command, and a skip with its reason as a note", async () => {
    const failing = defineCheck({
      id: "W1.cli-always-fails",
      rule: "W1",
      title: "fails on purpose",
      requires: ["runs"],
      kind: "example",
      run: () => Promise.reject(new Error("deliberately broken")),
    });
    const skipped = defineCheck({ id: "E6.cli-skipped", rule: "E6", title: "skipped on purpose", requires: ["leases"], kind: "example", run: () => Promise.resolve() });
    const report = await runConformance({
      name: "memory",
      create: ({ clock, namespace }) => Promise.resolve(createMemoryBackend({ clock, namespace })),
      checks: [failing, skipped],
      skip: { "E6.cli-skipped": "not on Tuesdays" },
    });

    const matrix = buildMatrix([{ label: "memory", url: "memory:", report }], "mooring conformance", (_run, result) => `mooring conformance --backend memory: --only ${result.checkId}`);

    expect(hasFailures(matrix)).toBe(true);
    expect(matrix.notes).toEqual([{ id: 1, text: "skipped: not on Tuesdays" }]);
    const table = renderMatrixTable(matrix, pc.createColors(false), 120);
    expect(table).toMatch(/│ W1 +│ .+│ FAIL +│/);
    expect(table).toMatch(/│ E6 +│ .+│ skipped \[1\] +│/);
    expect(table).toContain("[1] skipped: not on Tuesdays");
    expect(table).toContain("memory W1.cli-always-fails (SPEC W1): deliberately broken");
    expect(table).toContain("rerun: mooring conformance --backend memory: --only W1.cli-always-fails");
    expect(renderMatrixMarkdown(matrix)).toContain("| W1 | Definitions are immutable; equal re-put is idempotent | **FAIL** |");
  });
});

describe("backend URLs", () => {
  it("reads where a driver connects and which namespace the backend uses (each backend parses its own URLs)", () => {
    expect(redisOptionsFromUrl("redis+cluster://u:p%40ss@a:7000,b:7001?nodes=c:7002&tls=1")).toEqual({
      cluster: { nodes: ["a:7000", "b:7001", "c:7002"], options: { redisOptions: { username: "u", password: "p@ss", tls: {} } } },
    });
    expect(redisOptionsFromUrl("redis://h:6379/2?prefix=app&connectTimeoutMs=100")).toEqual({ url: "redis://h:6379/2", prefix: "app", connectTimeoutMs: 100 });
    expect(postgresOptionsFromUrl("postgres://u@h/db?schema=s&poolSize=4&sslmode=require")).toEqual({ connectionString: "postgres://u@h/db?sslmode=require", schema: "s", poolSize: 4 });
    expect(redisOptionsFromUrl("redis://h?namespace=b").namespace).toBe("b");
    expect(withoutParameters("redis+cluster://a:1,b:2?prefix=p&tls=1", ["prefix"])).toBe("redis+cluster://a:1,b:2?tls=1");
    expect(queryOf("redis+cluster://a:1,b:2?prefix=p").get("prefix")).toBe("p");
  });
});

describe("the bench chart", () => {
  it("draws one bar per target and workload with a rate, scaled within the workload", () => {
    const measured = (itemsPerSec: number | null) => ({ itemsPerSec });
    const report: BenchReportView = {
      schema: 1,
      conditions: { startedAt: "2030-01-01T00:00:00.000Z", cores: 2, cpuModel: "CPU <fast> & cheap", node: "v20.0.0", profile: "quick" },
      results: [
        { workload: "enqueue", title: "enqueue (single)", unit: "tasks", target: "memory", measurement: measured(20_000), error: null },
        { workload: "enqueue", title: "enqueue (single)", unit: "tasks", target: "sqlite", measurement: measured(5_000), error: null },
        { workload: "kv-get", title: "kv get", unit: "keys", target: "memory", measurement: measured(200_000), error: null },
        { workload: "claim-latency-shallow", title: "claim latency", unit: "tasks", target: "memory", measurement: measured(null), error: null },
      ],
    };
    expect(isBenchReport(JSON.parse(JSON.stringify(report)))).toBe(true);
    expect(isBenchReport({ schema: 2, results: [] })).toBe(false);

    const svg = renderBenchChart(report);
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    const bars = [...svg.matchAll(/<rect x="\d+" y="\d+" width="(\d+)" height="16"/g)].map((match) => Number(match[1]));
    expect(bars).toHaveLength(3);
    // The fastest target of each workload gets the full width; sqlite is a quarter of memory.
    expect(bars[0]).toBe(bars[2]);
    expect(bars[1]).toBe(Math.round((bars[0] ?? 0) / 4));
    expect(svg).toContain("CPU &lt;fast&gt; &amp; cheap");
    expect(svg).not.toContain("claim latency");
  });
});

describe("mooring migrate and doctor on SQLite", () => {
  it("migrates a new file, then finds nothing to apply, and the doctor reports WAL and synchronous", async () => {
    const url = `sqlite:${join(await temporaryDirectory(), "doctor.db")}`;

    const first = await run(["migrate", "--backend", url]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('namespace "mooring"');
    expect(first.stdout).toMatch(/applied \d+ migrations?/);

    const second = await run(["migrate", "--backend", url]);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain("nothing to apply");

    const doctor = await run(["doctor", "--backend", url]);
    expect(doctor.status, doctor.stdout).toBe(0);
    expect(doctor.stdout).toMatch(/│ ok +│ journal_mode +│ wal +│/);
    expect(doctor.stdout).toMatch(/│ ok +│ synchronous +│ normal \(the backend's default\) +│/);
    expect(doctor.stdout).toMatch(/│ ok +│ schema +│ version \d+ +│/);
    expect(doctor.stdout).toContain("0 problems");
  });

  it("reports a file whose directory cannot be written as a problem (exit 1)", async () => {
    const url = `sqlite:${join(await temporaryDirectory(), "missing-directory", "app.db")}`;
    const doctor = await run(["doctor", "--backend", url]);
    expect(doctor.status).toBe(1);
    expect(doctor.stdout).toMatch(/│ PROBLEM +│ directory +│/);
  });
});

// ---------------------------------------------------------------------------------------------
// Redis with an evicting policy: an ephemeral server of this test's own (never the shared one).

const redisRequired = (process.env.MOORING_REQUIRE ?? "").split(",").some((kind) => kind.trim() === "redis");
const redisBinariesMissing = await missingCommands(REDIS_BINARIES);
if (redisBinariesMissing.length > 0) {
  const message = `cli.test.ts: ${redisBinariesMissing.join(" and ")} not installed: the doctor's eviction check is SKIPPED`;
  if (redisRequired) throw new Error(`${message}, and MOORING_REQUIRE includes redis`);
  console.warn(`\n*** ${message} ***\n`);
}

describe.skipIf(redisBinariesMissing.length > 0)("mooring doctor on Redis", () => {
  let server: EphemeralRedis | undefined;

  beforeAll(async () => {
    server = await EphemeralRedis.start(["--maxmemory-policy", "allkeys-lru"]);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("reports an evicting maxmemory-policy as a problem: evicted keys lose work (exit 1)", async () => {
    const doctor = await run(["doctor", "--backend", server?.url ?? ""]);
    expect(doctor.status, doctor.stdout).toBe(1);
    expect(doctor.stdout).toMatch(/│ ok +│ reachable +│ ping /);
    expect(doctor.stdout).toMatch(/│ PROBLEM +│ maxmemory-policy +│ allkeys-lru +│ can evict keys/);
    expect(doctor.stdout).toContain("evicted keys lose work");
    expect(doctor.stdout).toMatch(/│ warning +│ persistence +│/);
    expect(doctor.stdout).toContain("1 problem");
  });
});

/**
 * README.md's code blocks, checked as a newcomer would use them, so that they stay true.
 *
 * - A `js` or `ts` block names its file on its first line (`// main.mjs`,
 *   `// test/conformance.test.ts`). It is written there in a fresh ES module project in a temporary
 *   directory (`package.json` with `"type": "module"`), whose node_modules holds exactly the
 *   packages named by the `npm install` line of the block's README section: workspace packages as
 *   symlinks to packages/<name> (so they must be built: `test` depends on `^build`), others (the
 *   driver, vitest) as symlinks to this package's own node_modules. A program runs twice with the
 *   `node` that runs this test; a `*.test.*` file runs under vitest, limited to a few checks.
 *   vitest strips types without checking them, so every `ts` block is also compiled with tsc
 *   (strict, as `tsc --init` sets a project up) in a fresh project.
 * - `sh` blocks and the README's inline code are checked statically: the pnpm scripts, `mooring`
 *   commands and flags, `MOORING_*` variables and `npm install` lines they name must exist.
 *
 * Limit: a symlinked package resolves its own imports from the workspace, where pnpm installed
 * them, so running cannot show that an install line forgot a package's peer (the driver of a
 * backend) or the backend package `openBackend` imports for a URL; two install-line tests check
 * those from the manifests and from openBackend's scheme table instead.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openBackend, supportedSchemes } from "@mooring/core";
import { afterEach, describe, expect, it } from "vitest";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(packageDir, "../..");
const README = join(repoRoot, "README.md");
const readme = await readFile(README, "utf8");
const rootManifest = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as Manifest;
const ownManifest = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as Manifest;

interface Manifest {
  readonly name: string;
  readonly version?: string;
  readonly private?: boolean;
  readonly packageManager?: string;
  readonly scripts?: Record<string, string>;
  readonly bin?: string | Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>;
}

// ---------------------------------------------------------------------------------------------
// The README, parsed

interface Block {
  readonly lang: string;
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The `## ` section the block is in. */
  readonly section: string;
}

function parseBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let section = "";
  let open: { lang: string; line: number; body: string[] } | null = null;
  for (const [index, text] of markdown.split("\n").entries()) {
    if (open) {
      if (/^```\s*$/.test(text)) {
        blocks.push({ lang: open.lang, code: `${open.body.join("\n")}\n`, line: open.line, section });
        open = null;
      } else {
        open.body.push(text);
      }
      continue;
    }
    const fence = /^```(\S*)\s*$/.exec(text);
    if (fence) {
      open = { lang: fence[1] ?? "", line: index + 1, body: [] };
      continue;
    }
    const heading = /^##\s+(.+?)\s*$/.exec(text);
    if (heading) section = heading[1]!;
  }
  if (open) throw new Error(`README.md:${open.line}: a code block is never closed`);
  return blocks;
}

/** The markdown outside code blocks. */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```\s*$/gm, "");
}

const blocks = parseBlocks(readme);
const inlineCode = [...prose(readme).matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!);
const shBlocks = blocks.filter((block) => block.lang === "sh");

/** The file a `js`/`ts` block names on its first line, e.g. `// main.mjs`. */
function fileOf(block: Block): string | undefined {
  return /^\/\/ ((?:[\w.-]+\/)*[\w.-]+\.(?:m?js|ts))\s*$/.exec(block.code.split("\n")[0] ?? "")?.[1];
}

const isVitestFile = (file: string): boolean => /\.test\.(?:m?js|ts)$/.test(file);
const codeBlocks = blocks.filter((block) => block.lang === "js" || block.lang === "ts");
const programs = codeBlocks.filter((block) => fileOf(block) !== undefined && !isVitestFile(fileOf(block)!));
const vitestFiles = codeBlocks.filter((block) => fileOf(block) !== undefined && isVitestFile(fileOf(block)!));

/** Shell commands of the sh blocks, one per `&&`, `;` or line; comments dropped. */
function shCommands(block: Block): string[] {
  return block.code
    .split("\n")
    .map((line) => line.replace(/(^|\s)#.*$/, "").trim())
    .flatMap((line) => line.split(/&&|;/))
    .map((command) => command.trim())
    .filter((command) => command !== "");
}

/** `npm install` / `npm i` commands: their flags and package specs. */
interface NpmInstall {
  readonly section: string;
  readonly line: number;
  readonly flags: readonly string[];
  readonly specs: readonly { readonly name: string; readonly range: string | undefined }[];
}

function npmInstalls(block: Block): NpmInstall[] {
  return shCommands(block)
    .map((command) => command.split(/\s+/))
    .filter((words) => words[0] === "npm" && (words[1] === "install" || words[1] === "i"))
    .map((words) => {
      const args = words.slice(2);
      return {
        section: block.section,
        line: block.line,
        flags: args.filter((arg) => arg.startsWith("-")),
        specs: args
          .filter((arg) => !arg.startsWith("-"))
          .map((spec) => {
            const at = spec.indexOf("@", 1);
            return at === -1 ? { name: spec, range: undefined } : { name: spec.slice(0, at), range: spec.slice(at + 1) };
          }),
      };
    });
}

const installs = shBlocks.flatMap(npmInstalls);
const projectInstalls = installs.filter((install) => !install.flags.includes("-g") && !install.flags.includes("--global"));

// ---------------------------------------------------------------------------------------------
// Fresh projects and child processes

const temporary: string[] = [];
afterEach(async () => {
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The workspace package directory of `@mooring/<name>`, or undefined for another package. */
function workspaceDir(name: string): string | undefined {
  const match = /^@mooring\/([\w-]+)$/.exec(name);
  return match ? join(repoRoot, "packages", match[1]!) : undefined;
}

/** A fresh ES module project in a new temporary directory, with `packages` linked into node_modules. */
async function freshProject(packages: readonly string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "mooring-readme-"));
  temporary.push(dir);
  await writeFile(join(dir, "package.json"), `${JSON.stringify({ name: "readme-example", private: true, type: "module" }, null, 2)}\n`);
  for (const name of packages) {
    const target = workspaceDir(name) ?? (await realpath(join(packageDir, "node_modules", name)));
    const link = join(dir, "node_modules", name);
    await mkdir(dirname(link), { recursive: true });
    await symlink(target, link, "dir");
  }
  return dir;
}

/** The packages the `npm install` line of `section` names; the test fails when there is none. */
function packagesOf(section: string): string[] {
  const lines = projectInstalls.filter((install) => install.section === section);
  expect(lines.map((install) => install.line), `README section "${section}" has one npm install line for its code`).toHaveLength(1);
  return lines[0]!.specs.map((spec) => spec.name);
}

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a child: this one without vitest's or the repository's test settings. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|MOORING_)/.test(key) || ["TEST", "NODE_ENV", "NODE_OPTIONS", "FORCE_COLOR"].includes(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Runs `node args…` in `cwd` and resolves how it ended (never rejects on a failure status). */
function runNode(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = childEnv(), timeoutMs = 45_000): Promise<Outcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

function describeOutcome(outcome: Outcome): string {
  return `exit ${outcome.code ?? outcome.signal}\n--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`;
}

// ---------------------------------------------------------------------------------------------
// What each program must print and leave behind, by README section

type ProgramCheck = (project: string, block: Block, runs: readonly Outcome[]) => Promise<void>;

const PROGRAM_CHECKS: Readonly<Record<string, ProgramCheck>> = {
  "Using a backend": async (project, block, runs) => {
    const runIds: string[] = [];
    for (const [index, { stdout }] of runs.entries()) {
      const which = `execution ${index + 1}`;
      const runId = /^run (\S+) \(created: true\)$/m.exec(stdout)?.[1];
      expect(runId, `${which} prints the run it created`).toBeDefined();
      runIds.push(runId!);
      expect(stdout, `${which} appends "started" as the first event of its run`).toMatch(/^appended "started" at sequence 1$/m);
      expect(stdout, `${which} prints the task it enqueued`).toMatch(/^enqueued task \S+$/m);
      expect(stdout, `${which} prints the task it claimed`).toMatch(/^claimed task \S+ \(attempt 1, fencing epoch 1\)$/m);
      expect(stdout, `${which} commits "email.sent" to its own run`).toContain(`committed to run ${runId}: "email.sent" at sequence 2, task completed`);
    }
    expect(new Set(runIds).size, "each execution starts a run of its own").toBe(runs.length);

    // What the two executions left in the database: two runs, neither with a duplicate event.
    const file = /openBackend\("sqlite:([^"]+)"\)/.exec(block.code)?.[1];
    expect(file, "the example opens a sqlite: URL").toBeDefined();
    const backend = await openBackend(`sqlite:${resolve(project, file!)}`);
    try {
      const { items } = await backend.workflows.listRuns({ limit: 10 });
      expect(items.map((run) => run.id).sort(), "the database holds exactly the runs the executions printed").toEqual([...runIds].sort());
      for (const runId of runIds) {
        const events = await backend.workflows.readEvents(runId);
        expect(events.map((event) => event.type), `run ${runId} has each event once`).toEqual(["started", "email.sent"]);
      }
    } finally {
      await backend.close();
    }
  },
};

/** How the vitest block of a section is limited: a `-t` filter, and what the kit must have run. */
const VITEST_LIMITS: Readonly<Record<string, { readonly filter: string; readonly rule: string }>> = {
  // The check ids of W7 (the event log): a handful of checks, one of them a model-based property.
  // `W7\.` and not `W7`, which some other checks' titles mention.
  "Testing an adapter": { filter: "W7\\.", rule: "W7" },
};

// ---------------------------------------------------------------------------------------------
// The tests

describe("README.md code blocks", () => {
  it("has the blocks this test runs: a program, an adapter test and sh commands", () => {
    expect(programs.length, "js/ts program blocks").toBeGreaterThan(0);
    expect(vitestFiles.length, "vitest test-file blocks").toBeGreaterThan(0);
    expect(shBlocks.length, "sh blocks").toBeGreaterThan(0);
  });

  it("has only blocks this test knows how to check: sh, or js/ts naming its file on its first line", () => {
    const unknown = blocks
      .filter((block) => !(block.lang === "sh" || ((block.lang === "js" || block.lang === "ts") && fileOf(block) !== undefined)))
      .map((block) => `README.md:${block.line} (\`\`\`${block.lang}, section "${block.section}")`);
    expect(unknown, "blocks to teach test/readme.test.ts about").toEqual([]);
  });

  it("has programs node can run as printed: JavaScript files, with expectations in this test", () => {
    for (const block of programs) {
      expect(fileOf(block), `README.md:${block.line}: a program is a .js or .mjs file (node ${process.version} does not run TypeScript)`).toMatch(/\.m?js$/);
      expect(PROGRAM_CHECKS[block.section], `README.md:${block.line}: what the program in "${block.section}" must print, in PROGRAM_CHECKS`).toBeDefined();
    }
  });

  for (const block of programs) {
    it(`runs the "${block.section}" program (README.md:${block.line}, ${fileOf(block)}) twice with node ${process.version} in a fresh ES module project`, async () => {
      const file = fileOf(block)!;
      const project = await freshProject(packagesOf(block.section));
      await mkdir(dirname(join(project, file)), { recursive: true });
      await writeFile(join(project, file), block.code);
      const runs: Outcome[] = [];
      for (const execution of [1, 2]) {
        const outcome = await runNode([file], project);
        expect(outcome.code, `execution ${execution} exits 0\n${describeOutcome(outcome)}`).toBe(0);
        expect(outcome.stderr, `execution ${execution} writes nothing to stderr`).toBe("");
        runs.push(outcome);
      }
      const check = PROGRAM_CHECKS[block.section];
      expect(check, `expectations for "${block.section}"`).toBeDefined();
      await check!(project, block, runs);
    });
  }

  for (const block of vitestFiles) {
    const limit = VITEST_LIMITS[block.section];
    it(`passes the "${block.section}" test file (README.md:${block.line}, ${fileOf(block)}) under vitest in a fresh ES module project, limited to -t ${limit?.filter ?? "?"}`, async () => {
      expect(limit, `README.md:${block.line}: a -t filter for "${block.section}" in VITEST_LIMITS`).toBeDefined();
      const file = fileOf(block)!;
      const packages = packagesOf(block.section);
      expect(packages, `the install line of "${block.section}" names vitest`).toContain("vitest");
      const project = await freshProject(packages);
      await mkdir(dirname(join(project, file)), { recursive: true });
      await writeFile(join(project, file), block.code);

      const vitestManifest = JSON.parse(await readFile(join(project, "node_modules/vitest/package.json"), "utf8")) as Manifest;
      const bin = typeof vitestManifest.bin === "string" ? vitestManifest.bin : vitestManifest.bin?.["vitest"];
      expect(bin, "vitest's package.json names its command").toBeDefined();
      const outcome = await runNode([join("node_modules/vitest", bin!), "run", "-t", limit!.filter], project, childEnv({ MOORING_FC_RUNS: "10" }));
      expect(outcome.code, `vitest exits 0\n${describeOutcome(outcome)}`).toBe(0);

      // The kit's report, where the README says it goes: reports/, as JSON, Markdown and JUnit.
      const name = /name: "([^"]+)"/.exec(block.code)?.[1];
      expect(name, "the block names its backend").toBeDefined();
      for (const extension of ["json", "md", "xml"]) {
        expect(existsSync(join(project, "reports", `conformance-${name}.${extension}`)), `the kit wrote reports/conformance-${name}.${extension}`).toBe(true);
      }
      const report = JSON.parse(await readFile(join(project, "reports", `conformance-${name}.json`), "utf8")) as {
        readonly results: readonly { readonly checkId: string; readonly rule: string; readonly status: string }[];
      };
      const ran = report.results.filter((result) => result.status === "passed" || result.status === "failed");
      expect(ran.length, `the kit ran ${limit!.rule} checks`).toBeGreaterThan(0);
      expect(ran.filter((result) => result.status === "failed").map((result) => result.checkId), "no check failed").toEqual([]);
      expect(new Set(ran.map((result) => result.rule)), `only ${limit!.rule} checks ran`).toEqual(new Set([limit!.rule]));
    });
  }

  for (const block of codeBlocks.filter((each) => each.lang === "ts" && fileOf(each) !== undefined)) {
    it(`typechecks the "${block.section}" TypeScript block (README.md:${block.line}, ${fileOf(block)}) with tsc in a fresh project (tsc --init's settings)`, async () => {
      const file = fileOf(block)!;
      const project = await freshProject(packagesOf(block.section));
      await mkdir(dirname(join(project, file)), { recursive: true });
      await writeFile(join(project, file), block.code);
      // The settings `tsc --init` (TypeScript 5.9) writes, exactOptionalPropertyTypes included: the
      // factories' `clock?: Clock | undefined` takes the kit's `clock` (ManualClock | undefined) as it is.
      const compilerOptions = {
        module: "nodenext",
        target: "esnext",
        types: [],
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        strict: true,
        verbatimModuleSyntax: true,
        isolatedModules: true,
        noUncheckedSideEffectImports: true,
        moduleDetection: "force",
        skipLibCheck: true,
        noEmit: true,
      };
      await writeFile(join(project, "tsconfig.json"), `${JSON.stringify({ compilerOptions, include: [file] }, null, 2)}\n`);
      const tsc = join(packageDir, "node_modules/typescript/bin/tsc");
      const outcome = await runNode([tsc, "-p", "tsconfig.json"], project);
      expect(outcome.code, `tsc reports no errors\n${describeOutcome(outcome)}`).toBe(0);
    });
  }
});

describe("README.md commands, scripts and variables", () => {
  it('keeps "Set up" to one sh block of two commands', () => {
    const setUp = shBlocks.filter((block) => block.section === "Set up");
    expect(setUp, 'sh blocks in "Set up"').toHaveLength(1);
    const lines = setUp[0]!.code.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
    expect(lines, "command lines").toHaveLength(2);
  });

  it("names only pnpm commands that are root package.json scripts or pnpm built-ins", () => {
    const builtIns = new Set(["install", "i", "add", "exec", "dlx", "run"]);
    const scripts = rootManifest.scripts ?? {};
    const commands = [...shBlocks.flatMap(shCommands), ...inlineCode].filter((text) => /^pnpm\s/.test(text));
    expect(commands.length, "pnpm commands found").toBeGreaterThan(0);
    for (const command of commands) {
      const words = command.split(/\s+/).slice(1);
      const name = words[0] === "run" ? words[1] : words[0];
      expect(name, `"${command}" names a command`).toBeDefined();
      expect(builtIns.has(name!) || Object.hasOwn(scripts, name!), `"${command}": "${name}" is a root script or a pnpm built-in`).toBe(true);
    }
  });

  it("installs the pnpm major that package.json's packageManager pins", () => {
    const pinned = /^pnpm@(\d+)\./.exec(rootManifest.packageManager ?? "")?.[1];
    expect(pinned, "packageManager pins pnpm").toBeDefined();
    const global = installs.filter((install) => install.flags.includes("-g") || install.flags.includes("--global"));
    const pnpm = global.flatMap((install) => install.specs).filter((spec) => spec.name === "pnpm");
    expect(pnpm.length, "npm i -g pnpm@… lines").toBeGreaterThan(0);
    for (const spec of pnpm) expect(spec.range, "the pnpm major").toBe(pinned);
  });

  it("names only mooring commands and flags that the mooring CLI has", async () => {
    const uses = [...shBlocks.flatMap(shCommands), ...inlineCode]
      .map((text) => /^pnpm (?:run )?mooring (\w[\w-]*)(.*)$/.exec(text))
      .filter((match) => match !== null)
      .map((match) => ({ command: match[1]!, flags: match[2]!.match(/--[\w-]+/g) ?? [] }));
    expect(uses.length, "pnpm mooring … uses found").toBeGreaterThan(0);
    const cli = join(repoRoot, "packages/cli/dist/main.js");
    const helps = new Map<string, Outcome>();
    for (const { command, flags } of uses) {
      if (!helps.has(command)) helps.set(command, await runNode([cli, command, "--help"], repoRoot));
      const help = helps.get(command)!;
      expect(help.code, `mooring ${command} --help exits 0 (an unknown command does not)\n${describeOutcome(help)}`).toBe(0);
      expect(help.stdout, `mooring ${command}'s help is its own`).toMatch(new RegExp(`^Usage: mooring ${command}\\b`, "m"));
      for (const flag of flags) expect(help.stdout, `mooring ${command} has ${flag}`).toMatch(new RegExp(`${flag}\\b`));
    }
  });

  it("names only MOORING_* variables that the code reads", async () => {
    const names = [...new Set(readme.match(/\bMOORING_[A-Z0-9_]+/g) ?? [])];
    expect(names.length, "MOORING_* names found").toBeGreaterThan(0);
    const sources: string[] = [];
    for (const entry of await readdir(join(repoRoot, "packages"), { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === "readme") continue;
      for (const part of ["src", "test"]) {
        const dir = join(repoRoot, "packages", entry.name, part);
        if (!existsSync(dir)) continue;
        for (const file of await readdir(dir, { recursive: true })) {
          if (/\.(?:ts|js)$/.test(file)) sources.push(await readFile(join(dir, file), "utf8"));
        }
      }
    }
    for (const name of names) {
      expect(
        sources.some((source) => new RegExp(`\\b${name}\\b`).test(source)),
        `${name} appears in the src or test code of a package`,
      ).toBe(true);
    }
  });

  it("installs, for each program, the backend package of every URL it opens", () => {
    const schemes = supportedSchemes();
    for (const block of programs) {
      const urls = [...block.code.matchAll(/openBackend\(\s*"([^"]+)"/g)].map((match) => match[1]!);
      expect(urls.length, `README.md:${block.line} opens a backend by URL`).toBeGreaterThan(0);
      const installed = packagesOf(block.section);
      for (const url of urls) {
        const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url)?.[1]?.toLowerCase() ?? "";
        const needed = schemes[scheme];
        expect(needed, `README.md:${block.line}: ${url} has a scheme openBackend knows`).toBeDefined();
        expect(installed, `README.md:${block.line}: the "${block.section}" install line has ${needed}, which ${url} needs`).toContain(needed);
      }
    }
  });

  it("has npm install lines that name public packages with their required peers, at the majors tested here", async () => {
    expect(projectInstalls.length, "npm install lines for a project").toBeGreaterThan(0);
    for (const install of projectInstalls) {
      const where = `README.md:${install.line}`;
      const names = install.specs.map((spec) => spec.name);
      for (const { name, range } of install.specs) {
        const dir = workspaceDir(name);
        if (dir) {
          expect(existsSync(join(dir, "package.json")), `${where}: ${name} is a package of this repository`).toBe(true);
          const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as Manifest;
          expect(manifest.private, `${where}: ${name} is public`).not.toBe(true);
          expect(range, `${where}: ${name} takes no version (there is one of it)`).toBeUndefined();
          for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
            if (manifest.peerDependenciesMeta?.[peer]?.optional) continue;
            expect(names, `${where}: installs ${peer}, a peer dependency of ${name}`).toContain(peer);
          }
        } else {
          expect(ownManifest.devDependencies?.[name], `${where}: ${name} is a devDependency of @mooring/readme, so that the test can link it`).toBeDefined();
          const installed = JSON.parse(await readFile(join(packageDir, "node_modules", name, "package.json"), "utf8")) as Manifest;
          if (range !== undefined) {
            expect(range, `${where}: ${name}@${range} is a bare major`).toMatch(/^\d+$/);
            expect(installed.version?.split(".")[0], `${where}: ${name}@${range} is the major installed here (${installed.version})`).toBe(range);
          }
        }
      }
    }
  });
});

/**
 * The adapter author's documents, checked so that they stay true (issue 15):
 *
 * - every ```ts block of docs/writing-an-adapter.md and packages/conformance/README.md, and the
 *   blocks of docs/contract.md that import a package (the K1 example), compiles with tsc under
 *   the repository's strict settings plus `exactOptionalPropertyTypes`, against the built
 *   packages. A block names its file on its first line (`// src/index.ts`) or is compiled as
 *   `test/block-<line>.ts`; the blocks of one document form one project, with the guide's
 *   `src/index.ts` and `test/fixtures/adapter-store.ts` as `src/store.ts` (the author's own code)
 *   beside them. An error names the document's line.
 * - the guide's capability table lists exactly the methods `CALL_RULES` assigns to each capability.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CALL_RULES, CAPABILITY_NAMES } from "@mooring/core";
import { afterAll, describe, expect, it } from "vitest";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(packageDir, "../..");
const GUIDE = "docs/writing-an-adapter.md";
const DOCUMENTS = [GUIDE, "packages/conformance/README.md", "docs/contract.md"] as const;

interface Block {
  readonly code: string;
  /** 1-based line of the block's first code line in its document. */
  readonly line: number;
  readonly file: string;
}

/** The ```ts blocks of `markdown`, indented ones (inside a list) included, their indent removed. */
function tsBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let open: { indent: string; line: number; body: string[] } | null = null;
  for (const [index, text] of markdown.split("\n").entries()) {
    if (open) {
      if (text.trim() === "```") {
        const code = `${open.body.join("\n")}\n`;
        const named = /^\/\/ ((?:[\w.-]+\/)*[\w.-]+\.ts)\s*$/.exec(open.body[0] ?? "")?.[1];
        blocks.push({ code, line: open.line, file: named ?? `test/block-${open.line}.ts` });
        open = null;
      } else {
        open.body.push(text.startsWith(open.indent) ? text.slice(open.indent.length) : text);
      }
      continue;
    }
    const fence = /^(\s*)```ts\s*$/.exec(text);
    if (fence) open = { indent: fence[1] ?? "", line: index + 2, body: [] };
  }
  return blocks;
}

const documents = new Map<string, Block[]>();
for (const document of DOCUMENTS) {
  const blocks = tsBlocks(await readFile(join(repoRoot, document), "utf8"));
  // contract.md shows the Backend interface as a declaration excerpt; only its code that uses a
  // package is an example to compile.
  documents.set(document, document === "docs/contract.md" ? blocks.filter((block) => /^\s*import /m.test(block.code)) : blocks);
}
const guideIndex = documents.get(GUIDE)!.find((block) => block.file === "src/index.ts");

// Under packages/readme/node_modules, so that the packages and @types/node resolve as they do for
// this package, against their built dist (the test task depends on ^build).
const scratch = join(packageDir, "node_modules", ".docs-code");
const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

const COMPILER_OPTIONS = {
  target: "ES2022",
  lib: ["ES2023", "ESNext.Disposable"],
  module: "NodeNext",
  moduleResolution: "NodeNext",
  strict: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: true,
  types: ["node"],
  noEmit: true,
};

function tsc(project: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(packageDir, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json", "--pretty", "false"], { cwd: project });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, output }));
  });
}

describe("code blocks of the adapter author's documents compile (strict, exactOptionalPropertyTypes)", () => {
  it("finds the blocks: the guide's factory, the kit's one-call test, contract.md's K1 example", () => {
    expect(guideIndex, `${GUIDE} has a // src/index.ts block`).toBeDefined();
    for (const document of DOCUMENTS) expect(documents.get(document)!.length, `${document}'s ts blocks`).toBeGreaterThan(0);
  });

  for (const document of DOCUMENTS) {
    it(`compiles every ts block of ${document}`, async () => {
      const blocks = documents.get(document)!;
      await mkdir(scratch, { recursive: true });
      const project = await mkdtemp(join(scratch, "project-"));
      made.push(project);
      // Each file, with the document its block comes from.
      const files = new Map<string, { readonly block: Block; readonly from: string }>();
      for (const block of blocks) {
        expect(files.has(block.file), `${document}:${block.line}: ${block.file} is named by two blocks`).toBe(false);
        files.set(block.file, { block, from: document });
      }
      if (!files.has("src/index.ts") && guideIndex) files.set("src/index.ts", { block: guideIndex, from: GUIDE });
      await mkdir(join(project, "src"), { recursive: true });
      await writeFile(join(project, "src/store.ts"), await readFile(join(packageDir, "test/fixtures/adapter-store.ts"), "utf8"));
      await writeFile(join(project, "package.json"), `${JSON.stringify({ name: "docs-code", private: true, type: "module" })}\n`);
      for (const [file, { block }] of files) {
        await mkdir(dirname(join(project, file)), { recursive: true });
        await writeFile(join(project, file), block.code);
      }
      await writeFile(join(project, "tsconfig.json"), `${JSON.stringify({ compilerOptions: COMPILER_OPTIONS, include: ["src", "test", "scripts"] }, null, 2)}\n`);
      const { code, output } = await tsc(project);
      // tsc's "test/block-12.ts(3,5): error …" becomes "docs/x.md:14: error …".
      const located = output.replace(/^((?:[\w.-]+\/)*[\w.-]+\.ts)\((\d+),\d+\): /gm, (match, file: string, row: string) => {
        const source = files.get(file);
        return source ? `${source.from}:${source.block.line + Number(row) - 1}: ` : match;
      });
      expect(code, `tsc reports no errors\n${located}`).toBe(0);
    });
  }
});

describe(`${GUIDE}'s capability table`, () => {
  it("lists, for each capability, exactly the methods CALL_RULES assigns to it", async () => {
    const guide = await readFile(join(repoRoot, GUIDE), "utf8");
    const section = /^### Which methods each capability covers\n([\s\S]*?)(?=^#)/m.exec(guide)?.[1];
    expect(section, `${GUIDE} has a "Which methods each capability covers" section`).toBeDefined();
    const documented: Record<string, string[]> = {};
    for (const row of section!.matchAll(/^\| `(\w+)` \| (.+) \|$/gm)) {
      documented[row[1]!] = [...row[2]!.matchAll(/`([\w.]+)`/g)].map((match) => match[1]!).sort();
    }
    const expected: Record<string, string[]> = {};
    for (const [facet, rules] of Object.entries(CALL_RULES)) {
      for (const [method, rule] of Object.entries(rules)) (expected[rule.capability] ??= []).push(`${facet}.${method}`);
    }
    for (const methods of Object.values(expected)) methods.sort();
    expect(documented).toEqual(expected);
    for (const name of Object.keys(documented)) expect(CAPABILITY_NAMES, `${name} is a capability`).toContain(name);
  });
});

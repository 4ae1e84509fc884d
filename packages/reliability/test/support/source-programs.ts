/**
 * This package's child programs (src/programs.ts) for tests. Under vitest the workspace packages
 * are TypeScript sources (the "@mooring/source" condition), which a plain `node` child cannot
 * load; building every package first would test whatever `dist` holds, not the sources. So this
 * transpiles the sources the programs need (core, the four backends with their SQL, Lua and
 * migration files, the kit's history module and the model's JSON rules it uses, this package) into a temporary directory laid out
 * like an installed tree, with the drivers linked in, and runs the programs from it with plain
 * `node`: children start in a fraction of a second and run exactly the code under test.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { PROGRAM_ENTRIES, type ProgramSource } from "../../src/programs.js";

const packages = fileURLToPath(new URL("../../../", import.meta.url));
const self = fileURLToPath(new URL("../../", import.meta.url));

/** Workspace packages the worker loads: directory, name, source folders or files to transpile, asset folders. */
const WORKSPACE = [
  { dir: "core", name: "@mooring/core", sources: ["src"], assets: [] },
  { dir: "backend-memory", name: "@mooring/backend-memory", sources: ["src"], assets: [] },
  { dir: "backend-sqlite", name: "@mooring/backend-sqlite", sources: ["src"], assets: ["sql", "migrations"] },
  { dir: "backend-postgres", name: "@mooring/backend-postgres", sources: ["src"], assets: ["sql", "migrations"] },
  { dir: "backend-redis", name: "@mooring/backend-redis", sources: ["src"], assets: ["lua"] },
  // The history checker and the model's JSON rules it keys events by.
  { dir: "conformance", name: "@mooring/conformance", sources: ["src/history", "src/model/json.ts"], assets: [] },
] as const;

const DRIVERS = ["pg", "ioredis", "better-sqlite3"] as const;

/** Transpiles a folder (recursively) or one `.ts` file to the same place under `to`'s parent. */
function transpileTree(from: string, to: string): void {
  if (statSync(from).isFile()) {
    mkdirSync(dirname(to), { recursive: true });
    const output = ts.transpileModule(readFileSync(from, "utf8"), {
      fileName: from,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    writeFileSync(to.replace(/\.ts$/, ".js"), output.outputText);
    return;
  }
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory() || (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))) {
      transpileTree(join(from, entry.name), join(to, entry.name));
    }
  }
}

export interface SourcePrograms {
  readonly programs: ProgramSource;
  /** Removes the temporary tree. */
  dispose(): void;
}

/** Transpiles the tree (a second or two) and returns where each program is. */
export function buildSourcePrograms(): SourcePrograms {
  const root = mkdtempSync(join(tmpdir(), "mooring-reliability-worker-"));
  try {
    writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
    for (const pkg of WORKSPACE) {
      const target = join(root, "node_modules", ...pkg.name.split("/"));
      for (const sources of pkg.sources) transpileTree(join(packages, pkg.dir, sources), join(target, sources));
      for (const asset of pkg.assets) cpSync(join(packages, pkg.dir, asset), join(target, asset), { recursive: true });
      const exports = pkg.dir === "conformance" ? { "./history": "./src/history/index.js" } : { ".": "./src/index.js" };
      writeFileSync(join(target, "package.json"), JSON.stringify({ name: pkg.name, type: "module", exports }));
    }
    const require = createRequire(join(self, "package.json"));
    for (const driver of DRIVERS) {
      const location = dirname(require.resolve(`${driver}/package.json`));
      symlinkSync(realpathSync(location), join(root, "node_modules", driver), "dir");
    }
    transpileTree(join(self, "src"), join(root, "pkg", "src"));
    for (const entry of PROGRAM_ENTRIES) {
      if (!existsSync(join(root, "pkg", "src", `${entry}.js`))) throw new Error(`the program ${entry} was not built in ${root}`);
    }
    return {
      programs: (entry) => ({ command: process.execPath, args: [join(root, "pkg", "src", `${entry}.js`)] }),
      dispose: () => rmSync(root, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

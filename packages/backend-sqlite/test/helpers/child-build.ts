/**
 * Builds what child processes run: this package's sources, @mooring/core's sources and the child
 * fixture, transpiled to JavaScript in a temporary directory laid out like an installed package
 * (better-sqlite3 linked in), so children start as plain `node` processes in milliseconds.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export interface ChildBuild {
  /** The child program (test/fixtures/child.ts, transpiled). */
  readonly script: string;
  readonly root: string;
  dispose(): void;
}

const packageRoot = fileURLToPath(new URL("../../", import.meta.url));
const coreSources = fileURLToPath(new URL("../../../core/src/", import.meta.url));

function transpileTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) {
      transpileTree(source, join(to, entry.name));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      transpileFile(source, join(to, entry.name.replace(/\.ts$/, ".js")));
    }
  }
}

function transpileFile(source: string, target: string): void {
  const output = ts.transpileModule(readFileSync(source, "utf8"), {
    fileName: source,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  });
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, output.outputText);
}

export function buildChild(): ChildBuild {
  const root = mkdtempSync(join(tmpdir(), "mooring-sqlite-child-"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  const core = join(root, "node_modules", "@mooring", "core");
  transpileTree(coreSources, core);
  writeFileSync(join(core, "package.json"), JSON.stringify({ name: "@mooring/core", type: "module", exports: "./index.js" }));
  const betterSqlite = dirname(createRequire(join(packageRoot, "package.json")).resolve("better-sqlite3/package.json"));
  symlinkSync(realpathSync(betterSqlite), join(root, "node_modules", "better-sqlite3"), "dir");
  transpileTree(join(packageRoot, "src"), join(root, "pkg", "src"));
  for (const directory of ["migrations", "sql"]) {
    mkdirSync(join(root, "pkg", directory));
    for (const name of readdirSync(join(packageRoot, directory))) {
      copyFileSync(join(packageRoot, directory, name), join(root, "pkg", directory, name));
    }
  }
  const script = join(root, "pkg", "test", "fixtures", "child.js");
  transpileFile(join(packageRoot, "test", "fixtures", "child.ts"), script);
  return { script, root, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

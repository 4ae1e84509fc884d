// A Node module loader that runs this repository's TypeScript sources in child processes of the
// tests (Node 20 cannot strip types itself). Registered by register-ts.mjs; child processes also
// pass `--conditions=@mooring/source` so workspace packages resolve to their sources.
// Type-only syntax is removed with TypeScript's transpileModule; nothing is type-checked here
// (`tsc` does that). Outputs are cached by content hash in the temporary directory, so that only
// the first child of a run pays for loading the compiler.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { URL } from "node:url";

const CACHE = join(tmpdir(), "mooring-ts-loader-cache");

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    // Sources import "./x.js" for the file "./x.ts".
    if (error?.code === "ERR_MODULE_NOT_FOUND" && specifier.startsWith(".") && specifier.endsWith(".js")) {
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
    throw error;
  }
}

async function transpile(url, source) {
  const { default: ts } = await import("typescript");
  return ts.transpileModule(source, {
    fileName: url,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false },
  }).outputText;
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const source = await readFile(new URL(url), "utf8");
  const cached = join(CACHE, `${createHash("sha256").update(url).update("\0").update(source).digest("hex")}.js`);
  let output;
  try {
    output = await readFile(cached, "utf8");
  } catch {
    output = await transpile(url, source);
    await mkdir(CACHE, { recursive: true });
    const partial = `${cached}.${process.pid}`;
    await writeFile(partial, output);
    await rename(partial, cached);
  }
  return { format: "module", source: output, shortCircuit: true };
}

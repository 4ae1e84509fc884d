/**
 * Programs this package starts as child processes: the crash scenario's worker
 * (`crash/worker-main`) and the memory heap probe (`secrets/heap-probe`). From the build they are
 * the JavaScript files beside this module; under vitest, which runs the TypeScript sources, the
 * tests transpile the sources into a temporary tree first (test/support/source-programs.ts).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const PROGRAM_ENTRIES = ["crash/worker-main", "secrets/heap-probe"] as const;
export type ProgramEntry = (typeof PROGRAM_ENTRIES)[number];

/** How to start a program: `command`, then `args`, then the program's own arguments. */
export interface NodeProgram {
  readonly command: string;
  readonly args: readonly string[];
}

/** Finds the programs of this package. */
export type ProgramSource = (entry: ProgramEntry) => NodeProgram;

/** The built programs (`dist/<entry>.js`) when this module runs from the build; null from sources. */
export function builtPrograms(): ProgramSource | null {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".js")) return null;
  return (entry) => ({ command: process.execPath, args: [join(dirname(here), `${entry}.js`)] });
}

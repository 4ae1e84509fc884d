#!/usr/bin/env node
// The `mooring` executable. It is a source file, not build output, so that `pnpm install` links it
// before anything is built (a bin pointing into dist/ is skipped with a warning on a fresh clone);
// it runs the built command and says what to do when there is none yet.
import { existsSync } from "node:fs";
import process from "node:process";
import { URL } from "node:url";

const entry = new URL("../dist/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "mooring: the command is not built yet. In the Mooring repository run `pnpm build` (or use `pnpm mooring …`, which builds first).\n",
  );
  process.exit(2);
}
await import(entry.href);

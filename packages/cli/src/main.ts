#!/usr/bin/env node
/**
 * The `mooring` executable: runs `main` on the process's arguments and streams and exits with its
 * status. The first Ctrl-C or SIGTERM lets a conformance run remove what it created (schemas, keys,
 * files, an ephemeral cluster) before exiting; a second one exits at once.
 */
import { main } from "./program.js";

const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  });
}

const status = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
// Backends may leave timers or sockets behind a finished run; the status is known, so exit once
// what was written has been flushed (pipes are asynchronous on some platforms).
process.exitCode = status;
process.stdout.write("", () => process.stderr.write("", () => process.exit(status)));

/**
 * The program child processes of the tests run (see `children.ts`): one backend of its own on a
 * schema, doing one job, printing one JSON line as its result.
 *
 * Every job prints `READY` once it is loaded (and, for `work`, connected), then waits for a `go`
 * line on stdin: the parent starts all children at once when all are ready.
 *
 * - `load`: only loads the package (to fill the loader's cache before children run in parallel).
 * - `migrate <url> <schema>`: opens the backend, which migrates the schema.
 * - `work <url> <schema> <queue> <worker>`: claims (1 to 4 at a time) and completes until the
 *   queue stays empty, and prints the ids it completed.
 */
import { createInterface } from "node:readline";
import { createPostgresBackend } from "../../src/index.js";

function readyThenGo(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  console.log("READY");
  return new Promise((resolve) => {
    lines.on("line", (line) => {
      if (line.trim() !== "go") return;
      lines.close();
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const [job, url, schema, ...rest] = process.argv.slice(2);
  if (job === "load") {
    await readyThenGo();
    console.log(JSON.stringify({ ok: true }));
    return;
  }
  if (!url || !schema) throw new Error("usage: child.ts <job> <url> <schema> ...");
  if (job === "migrate") {
    await readyThenGo();
    const backend = await createPostgresBackend({ connectionString: url, schema, poolSize: 1 });
    await backend.close();
    console.log(JSON.stringify({ ok: true }));
    return;
  }
  if (job === "work") {
    const [queue, worker] = rest;
    if (!queue || !worker) throw new Error("usage: child.ts work <url> <schema> <queue> <worker>");
    const backend = await createPostgresBackend({ connectionString: url, schema, poolSize: 2, migrate: false });
    await backend.ping();
    await readyThenGo();
    const completed: string[] = [];
    let idle = 0;
    for (let round = 0; idle < 3; round++) {
      const leases = await backend.engine.claim({ workerId: worker, queues: [queue], leaseMs: 60_000, limit: 1 + (round % 4) });
      idle = leases.length === 0 ? idle + 1 : 0;
      await Promise.all(leases.map((lease) => backend.engine.complete(lease)));
      completed.push(...leases.map((lease) => lease.taskId));
    }
    await backend.close();
    console.log(JSON.stringify({ ok: true, completed }));
    return;
  }
  throw new Error(`unknown job ${String(job)}`);
}

main().catch((error: unknown) => {
  console.log(JSON.stringify({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
  process.exitCode = 1;
});

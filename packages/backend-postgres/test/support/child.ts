/**
 * The program child processes of the tests run (see `children.ts`): one backend of its own on a
 * schema, doing one job, printing one JSON line as its result.
 *
 * - `migrate <url> <schema> <startAt>`: opens the backend (which migrates) at `startAt` (epoch
 *   ms), so that several processes migrate at the same moment.
 * - `work <url> <schema> <queue> <worker> <startAt>`: claims (1 to 4 at a time) and completes
 *   until the queue stays empty, and prints the ids it completed.
 */
import { createPostgresBackend } from "../../src/index.js";

async function until(startAt: number): Promise<void> {
  // A start barrier across processes: real time is the only clock they share.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
}

async function main(): Promise<void> {
  const [job, url, schema, ...rest] = process.argv.slice(2);
  if (!url || !schema) throw new Error("usage: child.ts <job> <url> <schema> ...");
  if (job === "migrate") {
    await until(Number(rest[0]));
    const backend = await createPostgresBackend({ connectionString: url, schema, poolSize: 1 });
    await backend.close();
    console.log(JSON.stringify({ ok: true }));
    return;
  }
  if (job === "work") {
    const [queue, worker, startAt] = rest;
    if (!queue || !worker) throw new Error("usage: child.ts work <url> <schema> <queue> <worker> <startAt>");
    const backend = await createPostgresBackend({ connectionString: url, schema, poolSize: 2, migrate: false });
    await until(Number(startAt));
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

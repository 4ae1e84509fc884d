import { test } from "vitest";
import { createMemoryBackend } from "../src/index.js";

async function measure(depth: number) {
  const backend = createMemoryBackend();
  const e = backend.engine;
  const batch = Array.from({ length: 10000 }, (_, n) => ({ queue: "q", payload: { n } }));
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  let t0 = performance.now();
  for (let done = 0; done < depth; done += 10000) await e.enqueueMany(depth < 10000 ? batch.slice(0, depth) : batch);
  const fill = performance.now() - t0;
  global.gc?.();
  const bytes = (process.memoryUsage().heapUsed - before) / depth;
  const N = 30000;
  for (let round = 0; round < 3; round++) {
    t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const [lease] = await e.claim({ workerId: "w", queues: ["q"], leaseMs: 30000 });
      await e.complete(lease!);
      await e.enqueue({ queue: "q", payload: { n: i } });
    }
    const dt = performance.now() - t0;
    console.log(`depth ${depth}: fill ${(depth / fill * 1000).toFixed(0)}/s, ${bytes.toFixed(0)} B/task, claim+complete+enqueue ${(N / dt * 1000).toFixed(0)}/s`);
  }
  await backend.close();
}

test("bench", async () => {
  await measure(1000);
  await measure(1000000);
  await measure(1000);
}, 300000);

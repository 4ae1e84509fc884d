/**
 * The memory backend's secrets at rest, read where reflection cannot reach: a process of its own
 * creates tokens on a memory backend, lets go of every plaintext, writes a V8 heap snapshot (V8
 * collects garbage first, so it holds what is reachable: the store, `#private` fields and closures
 * included), and searches the snapshot for each token's plaintext and secret part. Each token's
 * SHA-256 must be found, which proves the snapshot holds the store.
 *
 * The probe keeps the tokens only as bytes XOR-ed with a random mask (a Buffer's bytes are not
 * strings of the heap), and unmasks them after the snapshot was written. It prints one JSON line,
 * a `HeapProbeReport`, and exits 0; a failure prints `error <message>` on stderr and exits 1.
 *
 * With the argument `--plant` it stores token #0 in a run's input through the public API, as a
 * careless engine would: the search must then find it (the probe's own self-check).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";
import { createMemoryBackend } from "@mooring/backend-memory";
import type { Backend } from "@mooring/core";

export interface HeapProbeReport {
  readonly tokens: number;
  readonly snapshotBytes: number;
  /** Tokens whose plaintext or secret part is in the heap, by index and form. */
  readonly exposed: readonly string[];
  /** How many tokens' SHA-256 hashes the snapshot holds (the store's copies): all of them expected. */
  readonly hashesFound: number;
}

interface Masked {
  readonly token: Buffer;
  readonly secret: Buffer;
  /** The hex SHA-256, masked too: the probe's own copy must not be what the search finds. */
  readonly hash: Buffer;
}

const TOKENS = 50;

/** Creates and validates tokens; returns them masked, so that no plaintext string outlives this call. */
async function createTokens(backend: Backend, mask: Buffer, plant: boolean): Promise<Masked[]> {
  const masked: Masked[] = [];
  const views = [backend, backend.forTenant("probe-tenant")];
  for (let i = 0; i < TOKENS; i++) {
    const view = views[i % views.length] as Backend;
    const created = await view.tokens.create({ name: `probe ${i}`, role: "reader" });
    if ((await view.tokens.validate(created.token)) === null) throw new Error(`token ${i} does not validate`);
    if (plant && i === 0) await view.workflows.createRun({ workflowId: "careless", version: "1", input: { apiToken: created.token } });
    const bytes = Buffer.from(created.token, "utf8");
    masked.push({
      token: xor(bytes, mask),
      secret: xor(bytes.subarray(4), mask),
      hash: xor(Buffer.from(createHash("sha256").update(bytes).digest("hex"), "utf8"), mask),
    });
  }
  return masked;
}

function xor(bytes: Buffer, mask: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i] as number) ^ (mask[i % mask.length] as number);
  return out;
}

async function main(): Promise<HeapProbeReport> {
  const mask = randomBytes(64);
  const backend = createMemoryBackend({ namespace: "heap-probe" });
  const masked = await createTokens(backend, mask, process.argv.includes("--plant"));
  const dir = mkdtempSync(join(tmpdir(), "mooring-heap-probe-"));
  try {
    const file = writeHeapSnapshot(join(dir, "probe.heapsnapshot"));
    const snapshot = readFileSync(file);
    const exposed: string[] = [];
    let hashesFound = 0;
    masked.forEach((entry, i) => {
      // Unmasked into Buffers only, after the snapshot: never a string.
      if (snapshot.includes(xor(entry.token, mask))) exposed.push(`token #${i} plaintext`);
      if (snapshot.includes(xor(entry.secret, mask))) exposed.push(`token #${i} secret part`);
      if (snapshot.includes(xor(entry.hash, mask))) hashesFound++;
    });
    // The backend must stay reachable until the snapshot was written: it is the store under test.
    await backend.close();
    return { tokens: masked.length, snapshotBytes: snapshot.length, exposed, hashesFound };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (report) => {
    process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
  },
  (error: unknown) => {
    process.stderr.write(`error ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

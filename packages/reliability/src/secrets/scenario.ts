/**
 * Secrets at rest (SPEC T3, issue 7): tokens are created in two tenants (some expiring, one
 * revoked) and validated, then the deployment is read around the backend (`raw-store.ts`) and
 * searched for each token's plaintext, its secret part, and the secret's bytes in hex and in
 * base64: none may appear anywhere. Each token's SHA-256 must appear, which proves the search
 * looked at the right data. Entropy: every token is `mrt_` + 43 base64url characters (256 bits,
 * at least the 128 required), 1,000 tokens are distinct, and their secret bits are balanced.
 *
 * Constant-time validation is asserted on the implementation path (core's `hashesEqual` calls
 * `crypto.timingSafeEqual`, and every backend's `validate` reaches it: see
 * test/secrets.test.ts), not by timing: a timing measurement on a shared 2-core machine would be
 * noise, and a flaky test proves nothing.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import type { Backend } from "@mooring/core";
import type { NodeProgram } from "../programs.js";
import type { ScenarioResult } from "../results.js";
import type { Target } from "../targets.js";
import type { HeapProbeReport } from "./heap-probe.js";
import { dumpRawStore, type RawDump } from "./raw-store.js";

const run = promisify(execFile);

export interface SecretsOptions {
  /** Tokens created for the entropy check (and searched for at rest too); default 1,000. */
  readonly entropyTokens?: number;
  /**
   * The heap probe (`secrets/heap-probe`), run for memory: a V8 heap snapshot of a process holding
   * a memory store, which sees `#private` fields the object-graph walk cannot. Skipped (and said
   * so in the notes) when absent.
   */
  readonly heapProbe?: NodeProgram;
}

const TOKEN_FORMAT = /^mrt_[A-Za-z0-9_-]{43}$/;
/** 43 base64url characters carry 258 bits; the last two are padding bits, so 32 bytes: 256 bits. */
const SECRET_BITS = 256;
const REQUIRED_BITS = 128;
const OTHER_TENANT = "acme:{t}%";

interface Needle {
  readonly what: string;
  readonly bytes: Buffer;
}

/** The forms in which a token's secret could be stored by mistake. */
function secretForms(token: string): Needle[] {
  const secret = token.slice("mrt_".length);
  const raw = Buffer.from(secret, "base64url");
  return [
    { what: "plaintext", bytes: Buffer.from(token, "utf8") },
    { what: "secret part", bytes: Buffer.from(secret, "utf8") },
    { what: "secret bytes in hex", bytes: Buffer.from(raw.toString("hex"), "utf8") },
    { what: "secret bytes in base64", bytes: Buffer.from(raw.toString("base64").replace(/=+$/, ""), "utf8") },
  ];
}

function sha256(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Bytes every needle starts with that index them: needles are at least 43 bytes long. */
const PREFIX_BYTES = 8;

/**
 * Where each needle occurs in the dump (first occurrence), in one pass over every byte string:
 * needles are indexed by their first bytes, so the cost is the size of the dump, not its size
 * times the number of needles (a WAL file of megabytes and thousands of tokens).
 */
export function findNeedles(dump: RawDump, needles: readonly Buffer[]): (string | null)[] {
  const found: (string | null)[] = needles.map(() => null);
  const byPrefix = new Map<string, number[]>();
  needles.forEach((needle, i) => {
    if (needle.length < PREFIX_BYTES) throw new Error(`needle ${i} is shorter than ${PREFIX_BYTES} bytes`);
    const key = needle.subarray(0, PREFIX_BYTES).toString("latin1");
    byPrefix.set(key, [...(byPrefix.get(key) ?? []), i]);
  });
  for (const part of dump.parts) {
    const text = part.bytes.toString("latin1");
    for (let at = 0; at + PREFIX_BYTES <= text.length; at++) {
      const candidates = byPrefix.get(text.slice(at, at + PREFIX_BYTES));
      if (!candidates) continue;
      for (const i of candidates) {
        const needle = needles[i] as Buffer;
        if (found[i] === null && part.bytes.subarray(at, at + needle.length).equals(needle)) found[i] = part.where;
      }
    }
  }
  return found;
}

export interface SecretSearch {
  /** "token #i's <form> is stored at rest (<where>)", one per token and form found. */
  readonly exposures: readonly string[];
  /** Tokens whose SHA-256 the dump does not hold (the positive control). */
  readonly hashesMissing: number;
}

/** Searches `dump` for every form of every token's secret, and for every token's hash. */
export function searchSecrets(dump: RawDump, tokens: readonly string[]): SecretSearch {
  const forms = tokens.flatMap((token, index) => secretForms(token).map((form) => ({ ...form, index })));
  const found = findNeedles(dump, [...forms.map((form) => form.bytes), ...tokens.map((token) => Buffer.from(sha256(token), "utf8"))]);
  const exposures: string[] = [];
  forms.forEach((form, i) => {
    const where = found[i];
    if (where !== null && where !== undefined) exposures.push(`token #${form.index}'s ${form.what} is stored at rest (${where})`);
  });
  const hashesMissing = found.slice(forms.length).filter((where) => where === null).length;
  return { exposures, hashesMissing };
}

/** Runs the scenario once on `target` and reports what it found. */
export async function runSecrets(target: Target, options: SecretsOptions = {}): Promise<ScenarioResult> {
  const started = Date.now();
  const violations: string[] = [];
  const tokens: string[] = [];
  let operations = 0;
  const backend: Backend = await target.open();
  try {
    await backend.tenants.create({ id: OTHER_TENANT, name: "Acme" });
    const views = [backend, backend.forTenant(OTHER_TENANT)];
    const future = Date.now() + 3_600_000;
    for (const view of views) {
      for (let i = 0; i < 4; i++) {
        const created = await view.tokens.create({ name: `token ${i}`, role: i % 2 === 0 ? "admin" : "reader", ...(i === 1 ? { expiresAt: future } : {}) });
        operations++;
        tokens.push(created.token);
        const validated = await view.tokens.validate(created.token);
        operations++;
        if (validated?.id !== created.info.id || validated.tenantId !== view.tenantId) violations.push(`T3: a fresh token of tenant ${view.tenantId} did not validate to itself`);
        if (i === 3) {
          await view.tokens.revoke(created.info.id);
          if ((await view.tokens.validate(created.token)) !== null) violations.push("T3: a revoked token still validates");
          operations += 2;
        }
      }
      // list() must never return secrets or hashes.
      const listed = JSON.stringify(await view.tokens.list());
      operations++;
      for (const token of tokens) {
        if (listed.includes(token.slice(4)) || listed.includes(sha256(token))) violations.push(`T3: tokens.list() of tenant ${view.tenantId} shows a token's secret or hash`);
      }
    }
    // A token one character away from a real one must not validate.
    const [first] = tokens as [string];
    const altered = first.slice(0, -1) + (first.endsWith("A") ? "B" : "A");
    if ((await backend.tokens.validate(altered)) !== null) violations.push("T3: a token with one character changed validates");
    operations++;

    // Entropy: format (256 bits), distinctness, balance of the secret bits.
    const entropyCount = options.entropyTokens ?? 1_000;
    const entropy: string[] = [];
    for (let i = 0; i < entropyCount; i++) entropy.push((await backend.tokens.create({ name: `entropy ${i}`, role: "reader" })).token);
    operations += entropyCount;
    tokens.push(...entropy);
    violations.push(...entropyViolations(entropy));

    const tenantIds = [backend.tenantId, OTHER_TENANT];
    const before = await dumpRawStore(target, tenantIds);
    await backend.close();
    // SQLite: the files once the connection closed (and checkpointed) too.
    const after = target.kind === "sqlite" ? await dumpRawStore(target, tenantIds) : { parts: [], values: 0 };
    const dump: RawDump = { parts: [...before.parts, ...after.parts], values: before.values + after.values };
    operations += dump.values;
    const search = searchSecrets(dump, tokens);
    const exposed = search.exposures.length;
    for (const exposure of search.exposures) violations.push(`T3: ${exposure}`);
    if (search.hashesMissing > 0) {
      violations.push(
        `${search.hashesMissing} of ${tokens.length} token hashes are nowhere in the raw store: the search did not read the data the tokens live in (or the hash is stored in another form)`,
      );
    }
    const notes: string[] = [];
    if (target.kind === "memory") {
      if (options.heapProbe) {
        const probe = await runHeapProbe(options.heapProbe);
        operations += probe.tokens;
        for (const exposure of probe.exposed) violations.push(`T3: the memory backend's process heap holds ${exposure}`);
        if (probe.hashesFound !== probe.tokens) {
          violations.push(`the heap snapshot holds ${probe.hashesFound} of ${probe.tokens} token hashes: it did not capture the store, so it proves nothing`);
        }
        notes.push(`heap snapshot of a memory store (${(probe.snapshotBytes / 1e6).toFixed(1)} MB): ${probe.exposed.length} exposures of ${probe.tokens} tokens`);
      } else {
        notes.push("no heap snapshot: the object-graph walk does not see #private fields");
      }
    }
    return {
      scenario: "secrets",
      backend: target.kind,
      seed: null,
      faults: 0,
      faultKinds: {},
      operations,
      lost: 0,
      duplicated: 0,
      durationMs: Date.now() - started,
      violations,
      notes: [
        `${tokens.length} tokens searched in ${dump.values} stored values (${dump.parts.length} byte strings), 4 forms each`,
        `${exposed} exposures`,
        `entropy: ${SECRET_BITS} bits per token, ${new Set(entropy).size} of ${entropy.length} distinct`,
        ...notes,
      ],
    };
  } finally {
    await backend.close();
  }
}

/** Runs the heap probe; `plant` makes it store a token in a run's input first (its self-check). */
export async function runHeapProbe(program: NodeProgram, plant = false): Promise<HeapProbeReport> {
  const { stdout } = await run(program.command, [...program.args, ...(plant ? ["--plant"] : [])], { timeout: 120_000, maxBuffer: 1 << 20 });
  const line = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as HeapProbeReport;
}

/** Format, distinctness and bit balance of freshly created tokens. */
export function entropyViolations(tokens: readonly string[]): string[] {
  const violations: string[] = [];
  const malformed = tokens.filter((token) => !TOKEN_FORMAT.test(token));
  if (malformed.length > 0) violations.push(`T3: ${malformed.length} token(s) are not mrt_ + 43 base64url characters (256 bits), e.g. ${JSON.stringify(malformed[0])}`);
  if (SECRET_BITS < REQUIRED_BITS) violations.push(`T3: tokens carry ${SECRET_BITS} bits, fewer than ${REQUIRED_BITS}`);
  const distinct = new Set(tokens).size;
  if (distinct !== tokens.length) violations.push(`T3: ${tokens.length - distinct} duplicate token(s) among ${tokens.length}`);
  const prefixes = new Set(tokens.map((token) => token.slice(4, 4 + 11)));
  if (prefixes.size !== tokens.length) violations.push(`T3: tokens share their first 64 secret bits (${tokens.length - prefixes.size} collision(s))`);
  let ones = 0;
  let bits = 0;
  for (const token of tokens) {
    for (const byte of Buffer.from(token.slice(4), "base64url")) {
      for (let b = byte; b > 0; b >>= 1) ones += b & 1;
      bits += 8;
    }
  }
  // For n random bits the fraction of ones is 0.5 ± 0.5/sqrt(n); a 10-sigma band never fails by chance.
  const tolerance = 10 * (0.5 / Math.sqrt(Math.max(bits, 1)));
  if (bits > 0 && Math.abs(ones / bits - 0.5) > tolerance) violations.push(`T3: ${ones} of ${bits} secret bits are ones: not uniformly random`);
  return violations;
}

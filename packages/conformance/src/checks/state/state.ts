/**
 * Checks of the StateStore: cached snapshots (SPEC S1), byte values and TTL (S2), atomic
 * setIfAbsent / compareAndSet (S3) and execution-owned keys (S4).
 */
import { executionKey, executionKeyPrefix, type StateStore } from "@mooring/core";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { brief, byCodePoint, CONFLATING_PAIRS, connectClients, differs, only, rejectsWith, rejectsWithDetails, same, sameBytes, sameData, utf8, walkPages } from "../support/index.js";

// ---------------------------------------------------------------------------------------------
// S1: cached snapshots

const saveAndLoad = defineCheck({
  id: "S1.save-load",
  rule: "S1",
  title: "saveSnapshot overwrites; loadSnapshot returns { executionId, sequence, state, savedAt } or null; deleteSnapshot says whether it existed",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const executionId = ctx.unique("exec");
    const first = { nested: { list: [1, "two", null, true, 2.5] }, "key \"quoted\" 🚢": "value\nline" };
    await state.saveSnapshot({ executionId, sequence: 7, state: first });
    const savedAt = ctx.clock.now();
    same(await state.loadSnapshot(executionId), { executionId, sequence: 7, state: structuredClone(first), savedAt }, "state.loadSnapshot(executionId)");
    first.nested.list.push("mutated");
    same((await state.loadSnapshot(executionId))?.state, { nested: { list: [1, "two", null, true, 2.5] }, "key \"quoted\" 🚢": "value\nline" }, "mutating the caller's state changes nothing stored");

    const later = ctx.clock.advance(1000);
    await state.saveSnapshot({ executionId, sequence: 3, state: "older sequence, still overwrites" });
    same(await state.loadSnapshot(executionId), { executionId, sequence: 3, state: "older sequence, still overwrites", savedAt: later }, "saveSnapshot overwrites whatever the sequence");

    const other = ctx.unique("exec");
    await state.saveSnapshot({ executionId: other, sequence: 0, state: null });
    same(await state.deleteSnapshot(executionId), true, "deleteSnapshot of an existing snapshot");
    same(await state.loadSnapshot(executionId), null, "state.loadSnapshot(executionId)");
    same(await state.deleteSnapshot(executionId), false, "a second deleteSnapshot");
    same((await state.loadSnapshot(other))?.sequence, 0, "another execution's snapshot stays");
  },
});

const snapshotTtl = defineCheck({
  id: "S1.snapshot-ttl",
  rule: "S1",
  title: "a cached snapshot with ttlMs is invisible from exactly savedAt + ttlMs, to load, delete and list; saving without ttlMs removes the TTL",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const prefix = ctx.unique("exec");
    const expiring = `${prefix}-expiring`;
    const kept = `${prefix}-kept`;
    const renewed = `${prefix}-renewed`;
    await state.saveSnapshot({ executionId: expiring, sequence: 1, state: 1, ttlMs: 1000 });
    await state.saveSnapshot({ executionId: renewed, sequence: 1, state: 1, ttlMs: 1000 });
    await state.saveSnapshot({ executionId: kept, sequence: 1, state: 1 });
    ctx.clock.advance(999);
    differs(await state.loadSnapshot(expiring), null, "visible 1 ms before its TTL");
    await state.saveSnapshot({ executionId: renewed, sequence: 2, state: 2 });
    ctx.clock.advance(1);
    same(await state.loadSnapshot(expiring), null, "invisible at exactly savedAt + ttlMs");
    same(await state.deleteSnapshot(expiring), false, "an expired snapshot does not exist for deleteSnapshot");
    const listed = (await state.listSnapshots({ limit: 100 })).items;
    same(only(listed, new Set([expiring, kept, renewed]), (id) => id), byCodePoint([kept, renewed]), "listSnapshots lists live snapshots only");
    ctx.clock.advance(10_000_000);
    same((await state.loadSnapshot(renewed))?.sequence, 2, "a snapshot saved again without ttlMs has no TTL");
    differs(await state.loadSnapshot(kept), null, "a snapshot without ttlMs lives until deleted");
  },
});

const listSnapshots = defineCheck({
  id: "S1.list-snapshots",
  rule: "S1",
  title: "listSnapshots lists the tenant's execution ids in code-point order",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const prefix = ctx.unique("exec");
    const ids = ["b", "a", "\u{1F600}", "\uFF5E", "Z", "a:b", "a/b"].map((suffix) => `${prefix}${suffix}`);
    for (const executionId of ids) await state.saveSnapshot({ executionId, sequence: 1, state: null });
    await state.saveSnapshot({ executionId: ids[0]!, sequence: 2, state: null });
    const walk = await walkPages((cursor) => state.listSnapshots({ limit: 2, cursor }), 2, "listSnapshots");
    same(only(walk.items, new Set(ids), (id) => id), byCodePoint(ids), "every execution once, in code-point order (not UTF-16 order)");
  },
});

// ---------------------------------------------------------------------------------------------
// S2: bytes and TTL

/** Every byte value, in order and reversed, so that no encoding (UTF-8, latin1, base64 slips) survives. */
function everyByte(): Uint8Array {
  const bytes = new Uint8Array(512);
  for (let i = 0; i < 256; i++) {
    bytes[i] = i;
    bytes[511 - i] = i;
  }
  return bytes;
}

/** Deterministic bytes that compress badly, so that a large value is really large. */
function noise(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

const byteValues = defineCheck({
  id: "S2.byte-values",
  rule: "S2",
  title: "values round-trip byte for byte: every byte value 0..255, empty, large, invalid UTF-8, and views into larger buffers",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const cases: { readonly label: string; readonly value: Uint8Array }[] = [
      { label: "every byte value", value: everyByte() },
      { label: "empty", value: new Uint8Array(0) },
      { label: "one zero byte", value: new Uint8Array([0]) },
      { label: "invalid UTF-8", value: new Uint8Array([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0x28, 0xff, 0xfe]) },
      { label: "UTF-16 BOMs and a NUL", value: new Uint8Array([0xfe, 0xff, 0x00, 0xff, 0xfe, 0x00, 0x00]) },
      { label: "512 KiB", value: noise(512 * 1024, 7) },
    ];
    for (let byte = 0; byte < 256; byte++) cases.push({ label: `the single byte ${byte}`, value: new Uint8Array([byte]) });
    for (const { label, value } of cases) {
      const key = ctx.unique("bytes");
      await state.set(key, value);
      sameBytes(await state.get(key), value, label);
    }

    // A view into a larger buffer: only the view's bytes are the value.
    const backing = noise(64, 11);
    const view = backing.subarray(16, 40);
    const key = ctx.unique("view");
    await state.set(key, view);
    sameBytes(await state.get(key), backing.slice(16, 40), "a Uint8Array view with a byte offset");
    const buffer = Buffer.from([1, 2, 3, 4]);
    await state.set(key, buffer);
    sameBytes(await state.get(key), new Uint8Array([1, 2, 3, 4]), "a Node Buffer");
  },
});

const setGetExistsDelete = defineCheck({
  id: "S2.set-get-exists-delete",
  rule: "S2",
  title: "set replaces, get / exists read, delete says whether it existed; values do not alias the caller's arrays",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const key = `${ctx.unique("key")} :{}%*?\\/\n"'🚢`;
    same(await state.exists(key), false, "state.exists(key)");
    const value = new Uint8Array([1, 2, 3]);
    await state.set(key, value);
    value[0] = 99;
    sameBytes(await state.get(key), new Uint8Array([1, 2, 3]), "mutating the caller's array after set changes nothing stored");
    const read = await state.get(key);
    if (read) read[1] = 99;
    sameBytes(await state.get(key), new Uint8Array([1, 2, 3]), "mutating a returned array changes nothing stored");
    same(await state.exists(key), true, "state.exists(key)");
    await state.set(key, utf8("replaced"));
    sameBytes(await state.get(key), utf8("replaced"), "set replaces the value");
    same(await state.get(`${key}x`), null, "a longer key is another key");
    same(await state.delete(key), true, "delete of an existing key");
    same(await state.exists(key), false, "state.exists(key)");
    same(await state.get(key), null, "state.get(key)");
    same(await state.delete(key), false, "a second delete");
  },
});

/** Runs `scenario` for every conflating pair in both directions, each under fresh names. */
async function eachTwin(ctx: CheckContext, scenario: (mine: string, neighbour: string, what: string) => Promise<void>): Promise<void> {
  for (const [x, y] of CONFLATING_PAIRS) {
    for (const [a, b] of [
      [x, y],
      [y, x],
    ] as const) {
      const base = `${ctx.unique("twin")}/`;
      await scenario(`${base}${a}`, `${base}${b}`, `${brief(a)} next to ${brief(b)}`);
    }
  }
}

const keyIdentity = defineCheck({
  id: "S2.key-identity",
  rule: "S2",
  title: "keys are compared code point for code point: keys differing only in trailing spaces, case, normalisation form, separators or pattern characters are different keys, for set, get, exists, delete and TTLs",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    await eachTwin(ctx, async (mine, neighbour, what) => {
      await state.set(neighbour, utf8("neighbour"), { ttlMs: 1000 });
      same(await state.exists(mine), false, `exists(${brief(mine)}) after only ${brief(neighbour)} was set (${what})`);
      same(await state.get(mine), null, `get(${brief(mine)}) after only ${brief(neighbour)} was set (${what})`);
      await state.set(mine, utf8("mine"));
      sameBytes(await state.get(neighbour), utf8("neighbour"), `get(${brief(neighbour)}) after set(${brief(mine)}) (${what})`);
      sameBytes(await state.get(mine), utf8("mine"), `get(${brief(mine)}) (${what})`);
      ctx.clock.advance(1000);
      same(await state.get(neighbour), null, `get(${brief(neighbour)}) once its TTL passed (${what})`);
      sameBytes(await state.get(mine), utf8("mine"), `get(${brief(mine)}), which has no TTL, once the TTL of ${brief(neighbour)} passed (${what})`);
      await state.set(neighbour, utf8("neighbour"));
      same(await state.delete(mine), true, `delete(${brief(mine)}) (${what})`);
      sameBytes(await state.get(neighbour), utf8("neighbour"), `get(${brief(neighbour)}) after delete(${brief(mine)}) (${what})`);
      same(await state.delete(mine), false, `delete(${brief(mine)}) again (${what})`);
    });
  },
});

const executionIdIdentity = defineCheck({
  id: "S1.execution-id-identity",
  rule: "S1",
  title: "cached snapshots of execution ids differing only in trailing spaces, case, normalisation form, separators or pattern characters are different snapshots",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    await eachTwin(ctx, async (mine, neighbour, what) => {
      await state.saveSnapshot({ executionId: neighbour, sequence: 2, state: { owner: "neighbour" } });
      same(await state.loadSnapshot(mine), null, `loadSnapshot(${brief(mine)}) after only ${brief(neighbour)} was saved (${what})`);
      await state.saveSnapshot({ executionId: mine, sequence: 1, state: { owner: "mine" } });
      const theirs = await state.loadSnapshot(neighbour);
      sameData(theirs && [theirs.executionId, theirs.sequence, theirs.state], [neighbour, 2, { owner: "neighbour" }], `loadSnapshot(${brief(neighbour)}) after saveSnapshot(${brief(mine)}) (${what})`);
      same(await state.deleteSnapshot(mine), true, `deleteSnapshot(${brief(mine)}) (${what})`);
      same((await state.loadSnapshot(neighbour))?.sequence, 2, `loadSnapshot(${brief(neighbour)}) after deleteSnapshot(${brief(mine)}) (${what})`);
    });
  },
});

const ttlBoundary = defineCheck({
  id: "S2.ttl-boundary",
  rule: "S2",
  title: "a value is invisible to every read from exactly setAt + ttlMs; set without ttlMs removes the TTL, set with one restarts it",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const key = (name: string): string => `${ctx.unique("ttl")}-${name}`;
    const keys = { get: key("get"), exists: key("exists"), delete: key("delete"), cleared: key("cleared"), restarted: key("restarted") };
    for (const name of Object.values(keys)) await state.set(name, utf8(name), { ttlMs: 1000 });
    ctx.clock.advance(500);
    await state.set(keys.cleared, utf8("no ttl now"));
    await state.set(keys.restarted, utf8("restarted"), { ttlMs: 1000 });
    ctx.clock.advance(499);
    sameBytes(await state.get(keys.get), utf8(keys.get), "1 ms before the TTL the value is visible");
    same(await state.exists(keys.exists), true, "state.exists(keys.exists)");
    ctx.clock.advance(1);
    same(await state.get(keys.get), null, "get at exactly setAt + ttlMs");
    same(await state.exists(keys.exists), false, "exists at exactly setAt + ttlMs");
    same(await state.delete(keys.delete), false, "delete of an expired key finds nothing");
    sameBytes(await state.get(keys.cleared), utf8("no ttl now"), "set without ttlMs removed the TTL");
    sameBytes(await state.get(keys.restarted), utf8("restarted"), "set with ttlMs restarted the TTL");
    ctx.clock.advance(500);
    same(await state.get(keys.restarted), null, "the restarted TTL ends 1000 ms after its set");
    ctx.clock.advance(100_000_000);
    sameBytes(await state.get(keys.cleared), utf8("no ttl now"), "a value without TTL lives until deleted");
  },
});

/** More entries than a store would clean up in one call, so that a lazy cleanup cannot hide a read that ignores the TTL. */
const MASS_EXPIRY = 200;

const massExpiry = defineCheck({
  id: "S2.many-expire-at-once",
  rule: "S2",
  title: "200 values, 200 snapshots and an execution's state that expire at one instant are invisible to every read from that instant, whichever is read first",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const ttlMs = 1000;
    const prefix = ctx.unique("mass");
    const keys = Array.from({ length: MASS_EXPIRY }, (_, i) => `${prefix}/${i}`);
    const executionIds = Array.from({ length: MASS_EXPIRY }, (_, i) => `${prefix}-exec-${i}`);
    const owner = `${prefix}-owner`;
    for (const key of keys) await state.set(key, utf8(key), { ttlMs });
    for (const executionId of executionIds) await state.saveSnapshot({ executionId, sequence: 1, state: null, ttlMs });
    await state.set(executionKey(owner, "k"), utf8("owned"), { ttlMs });
    await state.saveSnapshot({ executionId: owner, sequence: 1, state: null, ttlMs });
    ctx.clock.advance(ttlMs);
    // The entries written last are read first: a store that removes expired entries a batch at a
    // time has not reached them yet, so only the reads' own TTL test can hide them.
    same(await state.deleteExecutionState(owner), 0, "deleteExecutionState of an execution whose snapshot and key expired at this instant (it counts only live ones)");
    same(await state.get(keys[MASS_EXPIRY - 1] as string), null, "get of the value written last, at its expiry instant");
    const listed = new Set((await walkPages((cursor) => state.listSnapshots({ limit: 100, cursor }), 100, "listSnapshots")).items);
    same(executionIds.filter((id) => listed.has(id)), [], "expired snapshots listed at their expiry instant");
    for (const key of keys) same(await state.exists(key), false, `exists(${key}) at its expiry instant`);
    for (const executionId of executionIds) same(await state.loadSnapshot(executionId), null, `loadSnapshot(${executionId}) at its expiry instant`);
  },
});

/** S4's prefix as a key of its own: it starts with the prefix, so it is the execution's. */
const prefixKey = defineCheck({
  id: "S4.prefix-itself-is-owned",
  rule: "S4",
  title: "a key equal to executionKeyPrefix(id) belongs to the execution: deleteExecutionState removes and counts it",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const executionId = ctx.unique("exec");
    const bare = executionKeyPrefix(executionId);
    await state.set(bare, utf8("the prefix itself"));
    await state.set(executionKey(executionId, "a"), utf8("a"));
    same(await state.deleteExecutionState(executionId), 2, `deleteExecutionState counts ${JSON.stringify(bare)} and one named key`);
    same(await state.exists(bare), false, `${JSON.stringify(bare)} is gone`);
  },
});

/** S2's boundary as the conditional writes see it (S3's calls, so it needs kvCas besides kv). */
const ttlBoundaryCas = defineCheck({
  id: "S2.ttl-boundary-cas",
  rule: "S2",
  title: "from exactly setAt + ttlMs an expired value is absent for setIfAbsent and compareAndSet; setIfAbsent without ttlMs writes no TTL",
  requires: ["kv", "kvCas"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const key = (name: string): string => `${ctx.unique("ttl")}-${name}`;
    const keys = { absent: key("absent"), cas: key("cas") };
    for (const name of Object.values(keys)) await state.set(name, utf8(name), { ttlMs: 1000 });
    ctx.clock.advance(999);
    same(await state.setIfAbsent(keys.absent, utf8("early")), false, "1 ms before the TTL the value is present for setIfAbsent");
    ctx.clock.advance(1);
    same(await state.setIfAbsent(keys.absent, utf8("new")), true, "an expired key is absent for setIfAbsent");
    sameBytes(await state.get(keys.absent), utf8("new"), "the value setIfAbsent wrote over an expired key");
    same(await state.compareAndSet(keys.cas, utf8(keys.cas), utf8("next")), false, "compareAndSet against an expired value fails");
    same(await state.compareAndSet(keys.cas, null, utf8("next")), true, "compareAndSet(null) succeeds on an expired key");
    ctx.clock.advance(100_000_000);
    sameBytes(await state.get(keys.absent), utf8("new"), "setIfAbsent without ttlMs wrote no TTL");
  },
});

// ---------------------------------------------------------------------------------------------
// S3: setIfAbsent and compareAndSet

const setIfAbsent = defineCheck({
  id: "S3.set-if-absent",
  rule: "S3",
  title: "setIfAbsent writes only when no live value exists, with its TTL",
  requires: ["kv", "kvCas"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const key = ctx.unique("key");
    same(await state.setIfAbsent(key, utf8("first"), { ttlMs: 1000 }), true, "setIfAbsent on an absent key");
    same(await state.setIfAbsent(key, utf8("second")), false, "setIfAbsent on a present key");
    sameBytes(await state.get(key), utf8("first"), "a failed setIfAbsent changes nothing");
    ctx.clock.advance(1000);
    same(await state.setIfAbsent(key, utf8("third")), true, "setIfAbsent once the TTL passed");
    await state.delete(key);
    same(await state.setIfAbsent(key, new Uint8Array(0)), true, "setIfAbsent after delete, with an empty value");
    same(await state.setIfAbsent(key, utf8("x")), false, "an empty value is a present value");
  },
});

const compareAndSet = defineCheck({
  id: "S3.compare-and-set",
  rule: "S3",
  title: "compareAndSet replaces only when the live value equals expected byte for byte (null: only when absent)",
  requires: ["kv", "kvCas"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const key = ctx.unique("key");
    same(await state.compareAndSet(key, utf8("x"), utf8("y")), false, "compareAndSet of an absent key with a value expected");
    same(await state.exists(key), false, "state.exists(key)");
    same(await state.compareAndSet(key, null, new Uint8Array([1, 2, 3])), true, "compareAndSet(null) of an absent key");
    same(await state.compareAndSet(key, null, utf8("z")), false, "compareAndSet(null) of a present key");
    for (const expected of [new Uint8Array([1, 2]), new Uint8Array([1, 2, 3, 0]), new Uint8Array([1, 2, 4]), new Uint8Array(0)]) {
      same(await state.compareAndSet(key, expected, utf8("wrong")), false, `compareAndSet expecting [${[...expected].join(",")}]`);
    }
    sameBytes(await state.get(key), new Uint8Array([1, 2, 3]), "failed compareAndSets change nothing");
    same(await state.compareAndSet(key, new Uint8Array([1, 2, 3]), new Uint8Array(0), { ttlMs: 1000 }), true, "compareAndSet with the exact bytes");
    sameBytes(await state.get(key), new Uint8Array(0), "the new (empty) value");
    same(await state.compareAndSet(key, new Uint8Array(0), utf8("after empty")), true, "an empty value compares equal to empty bytes, not to null");
    ctx.clock.advance(1000);
    sameBytes(await state.get(key), utf8("after empty"), "compareAndSet without ttlMs removed the TTL");
  },
});

const RACERS = 8;

async function racers(ctx: CheckContext): Promise<StateStore[]> {
  const clients = await connectClients(ctx, 4);
  return Array.from({ length: RACERS }, (_, index) => clients[index % clients.length]!.state);
}

const concurrentSetIfAbsent = defineCheck({
  id: "S3.concurrent-set-if-absent",
  rule: "S3",
  title: "of k concurrent setIfAbsent calls from several clients exactly one wins, and its value is stored",
  requires: ["kv", "kvCas"],
  kind: "race",
  async run(ctx) {
    const stores = await racers(ctx);
    for (let round = 0; round < 5; round++) {
      const key = ctx.unique("race");
      const outcomes = await Promise.all(stores.map((store, index) => store.setIfAbsent(key, utf8(`racer ${index}`))));
      const winners = outcomes.flatMap((won, index) => (won ? [index] : []));
      same(winners.length, 1, `round ${round}: exactly one of ${RACERS} setIfAbsent calls wins, got ${winners.length}`);
      sameBytes(await ctx.backend.state.get(key), utf8(`racer ${winners[0]}`), `round ${round}: the winner's value`);
    }
  },
});

const concurrentCompareAndSet = defineCheck({
  id: "S3.concurrent-compare-and-set",
  rule: "S3",
  title: "of k concurrent compareAndSet calls with the same expected value exactly one wins, round after round",
  requires: ["kv", "kvCas"],
  kind: "race",
  async run(ctx) {
    const stores = await racers(ctx);
    const key = ctx.unique("race");
    let current: Uint8Array | null = null;
    for (let round = 0; round < 6; round++) {
      const expected: Uint8Array | null = current;
      const outcomes: boolean[] = await Promise.all(stores.map((store, index) => store.compareAndSet(key, expected, utf8(`round ${round} racer ${index}`))));
      const winners = outcomes.flatMap((won, index) => (won ? [index] : []));
      same(winners.length, 1, `round ${round}: exactly one of ${RACERS} compareAndSet calls wins, got ${winners.length}`);
      current = utf8(`round ${round} racer ${winners[0]}`);
      sameBytes(await ctx.backend.state.get(key), current, `round ${round}: the winner's value`);
    }
  },
});

// ---------------------------------------------------------------------------------------------
// S4: execution-owned state

/**
 * Execution ids that break naive prefix matching: pattern metacharacters of SQL LIKE (`%`, `_`)
 * and Redis globs (`*`, `?`, `[`), separators, ids that are prefixes of one another, digits that
 * could be read as the length prefix of `executionKey`, and multi-byte characters (the length
 * prefix counts UTF-8 bytes).
 */
const TRICKY_IDS = [
  "a",
  "ab",
  "a/",
  "a/b",
  "a:b",
  "a:",
  "%",
  "a%",
  "_",
  "a_",
  "*",
  "a*",
  "?",
  "[a]",
  "{a}",
  "{}",
  "{",
  "\\",
  "1",
  "11",
  "1/1",
  "2/a",
  "3/a/b",
  "10",
  "é",
  "🚢",
  "a b",
];

async function seedExecutions(state: StateStore, prefix: string, ids: readonly string[]): Promise<Map<string, string[]>> {
  const owned = new Map<string, string[]>();
  for (const suffix of ids) {
    const executionId = `${prefix}${suffix}`;
    await state.saveSnapshot({ executionId, sequence: 1, state: { executionId } });
    const keys = ["state", "x", "x/y", suffix].map((name) => executionKey(executionId, name));
    for (const key of keys) await state.set(key, utf8(key));
    owned.set(executionId, keys);
  }
  return owned;
}

const deleteExecutionState = defineCheck({
  id: "S4.delete-execution-state",
  rule: "S4",
  title: "deleteExecutionState removes the execution's snapshot and owned keys, counts them, and touches no other execution's",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const prefix = ctx.unique("exec");
    const owned = await seedExecutions(state, prefix, TRICKY_IDS);
    // Plain keys that look like owned keys but are not built by executionKey for any of the ids.
    const length = prefix.length + 1;
    const lookalikes = [
      `mooring/exec/${length}/${prefix}a`,
      `mooring/exec/${length + 1}/${prefix}a/state`,
      `mooring/exec/0${length}/${prefix}a/state`,
      `mooring/exec/`,
      `${prefix}a/state`,
    ];
    for (const key of lookalikes) await state.set(key, utf8("plain"));
    const remaining = new Map(owned);
    // Delete in an order that visits prefixes before and after the ids they prefix.
    for (const suffix of ["a", "%", "*", "1", "ab", "_", "?", "[a]", "{", "11", "a/", "🚢"]) {
      const executionId = `${prefix}${suffix}`;
      const keys = owned.get(executionId)!;
      const removed = await state.deleteExecutionState(executionId);
      same(removed, keys.length + 1, `deleteExecutionState(${JSON.stringify(suffix)}) counts its snapshot and ${keys.length} keys`);
      remaining.delete(executionId);
      same(await state.loadSnapshot(executionId), null, `the snapshot of ${JSON.stringify(suffix)} is gone`);
      for (const key of keys) same(await state.exists(key), false, `${JSON.stringify(key)} of ${JSON.stringify(suffix)} is gone`);
      for (const [other, otherKeys] of remaining) {
        differs(await state.loadSnapshot(other), null, `deleting ${JSON.stringify(suffix)} must not touch the snapshot of ${JSON.stringify(other.slice(prefix.length))}`);
        for (const key of otherKeys) {
          sameBytes(await state.get(key), utf8(key), `deleting ${JSON.stringify(suffix)} must not touch ${JSON.stringify(key)}`);
        }
      }
      for (const key of lookalikes) same(await state.exists(key), true, `deleting ${JSON.stringify(suffix)} must not touch the plain key ${JSON.stringify(key)}`);
      same(await state.deleteExecutionState(executionId), 0, `a second deleteExecutionState(${JSON.stringify(suffix)}) removes nothing`);
    }
  },
});

const ownedKeysOnly = defineCheck({
  id: "S4.keys-without-snapshot",
  rule: "S4",
  title: "deleteExecutionState removes owned keys of an execution without a snapshot, and a snapshot without keys",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const keysOnly = ctx.unique("exec");
    const snapshotOnly = ctx.unique("exec");
    const keys = ["a", "b", "%", "*"].map((name) => executionKey(keysOnly, name));
    for (const key of keys) await state.set(key, utf8(key));
    await state.saveSnapshot({ executionId: snapshotOnly, sequence: 1, state: null });
    same(await state.deleteExecutionState(keysOnly), keys.length, "owned keys without a snapshot");
    for (const key of keys) same(await state.exists(key), false, "state.exists(key)");
    same(await state.deleteExecutionState(snapshotOnly), 1, "a snapshot without keys");
    same(await state.loadSnapshot(snapshotOnly), null, "state.loadSnapshot(snapshotOnly)");
    await rejectsWith(state.deleteExecutionState(""), "VALIDATION", "deleteExecutionState of an empty id");
  },
});

const executionKeyBounds = defineCheck({
  id: "S4.execution-key-format",
  rule: "S4",
  title: "executionKey builds mooring/exec/<UTF-8 length>/<id>/<name>, refuses an empty execution id, an empty name, a name holding U+0000 and a key over 255 UTF-8 bytes, and the backend keeps a key of exactly 255",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const executionId = `${ctx.unique("exec")}é`;
    const prefix = `mooring/exec/${Buffer.byteLength(executionId, "utf8")}/${executionId}/`;
    same(executionKey(executionId, "n"), `${prefix}n`, "executionKey(id, \"n\"): the length counts UTF-8 bytes, not characters");
    await rejectsWithDetails(async () => executionKey(executionId, ""), "VALIDATION", { field: "name" }, "executionKey with an empty name");
    await rejectsWithDetails(async () => executionKey(executionId, "a\u0000b"), "VALIDATION", { field: "name" }, "executionKey with U+0000 in the name");
    await rejectsWithDetails(async () => executionKey("", "n"), "VALIDATION", { field: "executionId" }, "executionKey with an empty execution id");
    const room = 255 - Buffer.byteLength(prefix, "utf8");
    const longest = executionKey(executionId, "k".repeat(room));
    same(Buffer.byteLength(longest, "utf8"), 255, "executionKey's longest key is 255 UTF-8 bytes");
    await rejectsWithDetails(async () => executionKey(executionId, "k".repeat(room + 1)), "VALIDATION", { field: "name" }, "executionKey one byte over 255");
    await rejectsWithDetails(async () => executionKey(executionId, `${"k".repeat(room - 1)}é`), "VALIDATION", { field: "name" }, "executionKey whose last character's second UTF-8 byte is the 256th");
    await state.set(longest, utf8("edge"));
    sameBytes(await state.get(longest), utf8("edge"), "the 255-byte owned key round-trips");
    same(await state.deleteExecutionState(executionId), 1, "deleteExecutionState removes the 255-byte owned key");
  },
});

export const checks: Check[] = [
  saveAndLoad,
  executionIdIdentity,
  snapshotTtl,
  listSnapshots,
  byteValues,
  setGetExistsDelete,
  keyIdentity,
  ttlBoundary,
  ttlBoundaryCas,
  massExpiry,
  setIfAbsent,
  compareAndSet,
  concurrentSetIfAbsent,
  concurrentCompareAndSet,
  deleteExecutionState,
  ownedKeysOnly,
  prefixKey,
  executionKeyBounds,
];

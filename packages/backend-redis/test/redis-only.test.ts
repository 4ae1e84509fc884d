/**
 * What only the Redis backend has to prove: the key design (every script touches one slot, hostile
 * ids cannot break keys, tenants spread over slots), the start-up checks (an evicting
 * maxmemory-policy is reported loudly, an unreachable server is UNAVAILABLE with its cause), server
 * time and physical expiry, URL options, and the operations that read and remove a prefix's keys.
 */
import { ManualClock, MooringError, waitpointFingerprint } from "@mooring/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisBackend, doctor, dumpNamespace, openFromUrl, openNamespaceRemover, type StoredKey } from "../src/index.js";
import { KeySpace, SCHEMA_VERSION } from "../src/keys.js";
import { LIBRARY, SCRIPT_NAMES, SCRIPTS } from "../src/statements.js";
import { keysOfCommand, keySlot } from "./slots.js";
import { EphemeralRedis, ephemeralAvailability, type RedisServer, standaloneServer, testPrefix } from "@mooring/testing/redis";
import { removePrefixesStartingWith } from "./remove-keys.js";
import { exerciseEveryScript } from "./workload.js";

const server = await standaloneServer();
const ephemeral = await ephemeralAvailability();
const filePrefix = testPrefix("only");
let counter = 0;
const prefix = (): string => `${filePrefix}.${(counter++).toString(36)}`;

const HOSTILE = ["a:b", "a}b", "{a}", "*", "?[x]", "line\nbreak", "100%", "a|b", "sp ace", "ü🚀", "__proto__", "\\", "/", "'\"", "a", "a:"];

describe("local CRC16 slots", () => {
  it("match the slots Redis documents for CLUSTER KEYSLOT", () => {
    expect(keySlot("somekey")).toBe(11058);
    expect(keySlot("foo{hash_tag}")).toBe(2515);
    expect(keySlot("{user1000}.following")).toBe(keySlot("{user1000}.followers"));
  });

  it("spread tenants over the cluster's slots (one hash tag per tenant, not one for all)", () => {
    const keys = new KeySpace("app");
    const slots = new Set(Array.from({ length: 300 }, (_, i) => keySlot(keys.tenant(`tenant-${i}`))));
    expect(slots.size).toBeGreaterThan(280);
    const thirds = new Set([...slots].map((slot) => Math.floor(slot / 5462)));
    expect(thirds.size).toBe(3);
  });
});

describe.skipIf("skip" in ephemeral)("every command touches one slot (MONITOR on an ephemeral server)", () => {
  let redis: EphemeralRedis;
  beforeAll(async () => {
    redis = await EphemeralRedis.start();
    // A user the server refuses functions to: the backend runs every command as a script.
    await withClient(redis.url, (client) => client.call("ACL", "SETUSER", "scripts-only", "on", "nopass", "~*", "&*", "+@all", "-fcall", "-fcall_ro", "-function"));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const commandOf = new Map<string, string>([
    ...Object.values(SCRIPTS).flatMap((script) => [[script.sha, script.name] as const, [script.source, script.name] as const]),
    ...Object.entries(LIBRARY.functions).map(([name, fn]) => [fn, name] as const),
  ]);

  for (const mode of ["functions", "scripts"] as const) {
    it(`as ${mode}: every key each command touches shares its first key's hash tag, and the workload runs every command`, async () => {
      const url = mode === "functions" ? redis.url : redis.url.replace("redis://", "redis://scripts-only@");
      const monitorClient = new Redis(redis.url);
      const monitor = await monitorClient.monitor();
      const calls: { command: string; name: string | undefined; base: string; touched: string[] }[] = [];
      let sawMarker: () => void = () => undefined;
      const markerSeen = new Promise<void>((resolve) => {
        sawMarker = resolve;
      });
      monitor.on("monitor", (_time: string, args: string[], source: string) => {
        const [command = "", ...rest] = args;
        const name = command.toLowerCase();
        if (name === "echo" && rest[0] === "end-of-workload") sawMarker();
        if (source !== "lua" && (name === "evalsha" || name === "eval" || name === "fcall")) {
          calls.push({ command: name, name: commandOf.get(rest[0] ?? ""), base: rest[2] ?? "", touched: [] });
        } else if (source === "lua") {
          calls.at(-1)?.touched.push(...keysOfCommand(name, rest));
        }
      });
      const clock = new ManualClock();
      const warnings: string[] = [];
      const backend = await createRedisBackend({ url, prefix: prefix(), clock, onWarning: (message) => warnings.push(message) });
      try {
        await exerciseEveryScript(backend, clock, "tenant:{x}\n*");
      } finally {
        await backend.close();
      }
      // MONITOR lines arrive on their own connection: wait for a marker sent after the workload.
      await monitorClient.echo("end-of-workload");
      await markerSeen;
      monitor.disconnect();
      monitorClient.disconnect();

      const ran = new Set<string>();
      for (const call of calls) {
        if (call.name) ran.add(call.name);
        expect(call.base.startsWith("{")).toBe(true);
        for (const key of call.touched) {
          expect(key.startsWith(call.base), `${call.name ?? call.command} touched ${key} outside ${call.base}`).toBe(true);
          expect(keySlot(key), `${call.name ?? call.command}: ${key}`).toBe(keySlot(call.base));
        }
      }
      expect([...SCRIPT_NAMES].filter((name) => !ran.has(name))).toEqual([]);
      expect(calls.reduce((sum, call) => sum + call.touched.length, 0)).toBeGreaterThan(200);
      expect(new Set(calls.map((call) => call.command))).toEqual(mode === "functions" ? new Set(["fcall"]) : new Set(["evalsha", "eval"]));
      expect(warnings.filter((message) => message.includes("refuses Redis functions"))).toHaveLength(mode === "functions" ? 0 : 1);
    });
  }

  it("loads the function library again when the server lost it (FUNCTION FLUSH, a restart without persistence), and scripts after SCRIPT FLUSH", async () => {
    const clock = new ManualClock();
    const backend = await createRedisBackend({ url: redis.url, prefix: prefix(), clock });
    const scripted = await createRedisBackend({ url: redis.url.replace("redis://", "redis://scripts-only@"), prefix: prefix(), clock, onWarning: () => undefined });
    try {
      for (const each of [backend, scripted]) {
        await each.engine.enqueue({ queue: "q", payload: 1 });
        await withClient(redis.url, async (client) => {
          await client.call("FUNCTION", "FLUSH");
          await client.call("SCRIPT", "FLUSH");
        });
        const [lease] = await each.engine.claim({ workerId: "w", queues: ["q"], leaseMs: 1000 });
        expect(lease?.payload).toBe(1);
        if (lease) await each.engine.complete(lease);
        const libraries = await withClient(redis.url, (client) => client.call("FUNCTION", "LIST", "LIBRARYNAME", LIBRARY.name));
        expect(Array.isArray(libraries) ? libraries.length : -1, "the library is loaded (by the functions backend only)").toBe(each === backend ? 1 : 0);
      }
    } finally {
      await backend.close();
      await scripted.close();
    }
  });

  it("runs a call as a script when the library is missing and the server refuses this client FUNCTION LOAD", async () => {
    await withClient(redis.url, async (client) => {
      await client.call("ACL", "SETUSER", "no-load", "on", "nopass", "~*", "&*", "+@all", "-function");
      await client.call("FUNCTION", "FLUSH");
    });
    const warnings: string[] = [];
    const backend = await createRedisBackend({
      url: redis.url.replace("redis://", "redis://no-load@"),
      prefix: prefix(),
      clock: new ManualClock(),
      onWarning: (message) => warnings.push(message),
    });
    try {
      const { id } = await backend.engine.enqueue({ queue: "q", payload: 1 });
      expect((await backend.engine.getTask(id))?.state).toBe("ready");
      expect(warnings.filter((message) => message.includes("refuses Redis functions"))).toHaveLength(1);
    } finally {
      await backend.close();
    }
  });
});

async function withClient<T>(url: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url);
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

describe.skipIf("skip" in server)("hostile ids on a standalone server", () => {
  const target = server as RedisServer;
  afterAll(async () => {
    await removePrefixesStartingWith(target.url, `${filePrefix}.`);
    await target.stop();
  });

  it("round-trip exactly and never collide, whatever characters tenant ids, queues, runs, keys and signal keys hold", async () => {
    const keyPrefix = prefix();
    const clock = new ManualClock();
    const root = await createRedisBackend({ url: target.url, prefix: keyPrefix, clock });
    try {
      for (const [index, id] of HOSTILE.entries()) {
        const backend = root.forTenant(id);
        await root.tenants.create({ id, name: `tenant ${index}` });
        const { run } = await backend.workflows.createRun({ id, workflowId: id, version: id, context: { [id]: [] } });
        expect(run.id).toBe(id);
        await backend.workflows.appendToContext(id, id, index);
        await backend.workflows.upsertStep(id, { id, status: "completed", name: id });
        expect((await backend.workflows.listSteps(id)).map((step) => step.id)).toEqual([id]);
        await backend.workflows.putDefinition({ id, version: id, spec: { id } });
        expect((await backend.workflows.getDefinition(id, id))?.spec).toEqual({ id });
        await backend.state.set(id, new TextEncoder().encode(id));
        const { id: taskId } = await backend.engine.enqueue({ queue: id, payload: id, idempotencyKey: id });
        expect((await backend.engine.enqueue({ queue: id, idempotencyKey: id })).id).toBe(taskId);
        await backend.engine.signal({ key: id, payload: index });
      }
      for (const [index, id] of HOSTILE.entries()) {
        const backend = root.forTenant(id);
        expect((await root.tenants.get(id))?.name).toBe(`tenant ${index}`);
        expect((await backend.workflows.getRun(id))?.context).toEqual({ [id]: [index] });
        expect(new TextDecoder().decode((await backend.state.get(id)) ?? new Uint8Array())).toBe(id);
        const [lease] = await backend.engine.claim({ workerId: id, queues: [id], leaseMs: 1000 });
        expect(lease?.queue).toBe(id);
        expect(lease?.payload).toBe(id);
        expect((await backend.engine.claim({ workerId: id, queues: [id], leaseMs: 1000 })).length).toBe(0);
        if (!lease) continue;
        const suspended = await backend.engine.suspend(lease, { keys: [id] });
        expect(suspended).toEqual({ suspended: false, signals: [expect.objectContaining({ key: id, payload: index })] });
      }
      const listed = await root.tenants.list({ limit: 100 });
      expect(listed.items.map((tenant) => tenant.id).sort()).toEqual([...HOSTILE].sort());
    } finally {
      await root.close();
    }
    const probe = new Redis(target.url);
    try {
      const keys = new KeySpace(keyPrefix);
      const tags = new Set([keys.global, ...HOSTILE.map((id) => keys.tenant(id))]);
      let cursor = "0";
      do {
        const [next, found] = await probe.scan(cursor, "MATCH", keys.pattern, "COUNT", 1000);
        cursor = next;
        for (const key of found) {
          const tag = key.slice(0, key.indexOf("}") + 1);
          expect(tags.has(tag), key).toBe(true);
        }
      } while (cursor !== "0");
    } finally {
      probe.disconnect();
    }
  });

  it("uses the server's TIME without an injected clock, and expires TTL keys physically too", async () => {
    const keyPrefix = prefix();
    const backend = await createRedisBackend({ url: target.url, prefix: keyPrefix });
    const probe = new Redis(target.url);
    try {
      const [seconds] = await probe.time();
      const serverNow = Number(seconds) * 1000;
      const { id } = await backend.engine.enqueue({ queue: "q" });
      const task = await backend.engine.getTask(id);
      expect(Math.abs((task?.createdAt ?? 0) - serverNow)).toBeLessThan(5000);
      await backend.state.set("ttl", new Uint8Array([1]), { ttlMs: 60_000 });
      const pttl = await probe.pttl(`${new KeySpace(keyPrefix).tenant("default")}:kv:${Buffer.from("ttl").toString("base64url")}`);
      expect(pttl).toBeGreaterThan(50_000);
      expect(pttl).toBeLessThanOrEqual(60_000);
    } finally {
      probe.disconnect();
      await backend.close();
    }
  });

  it("W16: a log message that pub/sub delivers late (its append came before the wait) does not make waitForEvents true", async () => {
    const keyPrefix = prefix();
    const backend = await createRedisBackend({ url: target.url, prefix: keyPrefix });
    const publisher = new Redis(target.url);
    const channel = `${new KeySpace(keyPrefix).tenant("default")}:ch`;
    try {
      await backend.workflows.createRun({ id: "late", workflowId: "w", version: "1" });
      await backend.workflows.appendEvents("late", [{ type: "a" }]);
      const waiting = backend.workflows.waitForEvents("late", { after: 1, timeoutMs: 1_000 });
      // The append's own message again and again while the wait is open, as a late delivery
      // would arrive: the wait must look at the log rather than trust it.
      let open = true;
      void waiting.finally(() => (open = false));
      while (open) {
        await publisher.publish(channel, `log ${Buffer.from("late").toString("base64url")}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await waiting).toBe(false);
      await backend.workflows.appendEvents("late", [{ type: "b" }]);
      expect(await backend.workflows.waitForEvents("late", { after: 1, timeoutMs: 1_000 })).toBe(true);
    } finally {
      publisher.disconnect();
      await backend.close();
    }
  });

  it("opens from a redis:// URL with options in its query string, and rejects unknown ones", async () => {
    const keyPrefix = prefix();
    const url = new URL(target.url);
    url.searchParams.set("prefix", keyPrefix);
    url.searchParams.set("dedupTtlMs", "5000");
    const backend = await openFromUrl(url.href, { clock: new ManualClock() });
    try {
      await backend.workflows.createRun({ id: "r", workflowId: "w", version: "1" });
      const probe = new Redis(target.url);
      try {
        expect(await probe.exists(`${new KeySpace(keyPrefix).tenant("default")}:run:${Buffer.from("r").toString("base64url")}`)).toBe(1);
      } finally {
        probe.disconnect();
      }
    } finally {
      await backend.close();
    }
    const bad = new URL(target.url);
    bad.searchParams.set("prefx", "oops");
    await expect(openFromUrl(bad.href, {})).rejects.toMatchObject({ code: "VALIDATION" });
  });

  it("refuses a prefix that holds another key layout (a newer one, or the pre-release layout 1)", async () => {
    for (const stored of ["1", String(SCHEMA_VERSION + 1)]) {
      const keyPrefix = prefix();
      await withClient(target.url, (client) => client.set(new KeySpace(keyPrefix).schema, stored));
      const error: unknown = await createRedisBackend({ url: target.url, prefix: keyPrefix }).catch((caught: unknown) => caught);
      expect(MooringError.is(error, "INVALID_STATE"), String(error)).toBe(true);
      expect((error as MooringError).message).toContain(`layout ${stored}`);
    }
  });

  it("E26: migrate upgrades layout 2 in place: tasks and queues written before the indexes list in enqueue and name order", async () => {
    const keyPrefix = prefix();
    const keys = new KeySpace(keyPrefix);
    const tenants = ["default", "t{2}"];
    const written = await createRedisBackend({ url: target.url, prefix: keyPrefix });
    const ids = new Map<string, string[]>();
    try {
      for (const tenant of tenants) {
        const { engine } = written.forTenant(tenant);
        const first = await engine.enqueue({ queue: "b", payload: 1 });
        const second = await engine.enqueue({ queue: "a:ü", payload: 2 });
        await engine.setQueue("settings-only", { concurrency: 2 });
        ids.set(tenant, [first.id, second.id]);
      }
    } finally {
      await written.close();
    }
    // What layout 2 held: no task or queue index, and its version.
    await withClient(target.url, async (client) => {
      for (const tenant of tenants) await client.del(`${keys.tenant(tenant)}:tx`, `${keys.tenant(tenant)}:qn`);
      await client.set(keys.schema, "2");
    });
    const upgraded = await createRedisBackend({ url: target.url, prefix: keyPrefix });
    try {
      for (const tenant of tenants) {
        const { engine } = upgraded.forTenant(tenant);
        const later = await engine.enqueue({ queue: "b", payload: 3 });
        expect((await engine.listTasks({ limit: 10 })).items.map((task) => task.id)).toEqual([...(ids.get(tenant) ?? []), later.id]);
        expect((await engine.listQueues({ limit: 10 })).items.map((stats) => stats.queue)).toEqual(["a:ü", "b", "settings-only"]);
      }
      await withClient(target.url, async (client) => expect(await client.get(keys.schema)).toBe(String(SCHEMA_VERSION)));
    } finally {
      await upgraded.close();
    }
  });

  it("E26: a listTasks page looks at a bounded number of tasks: a rare filter gives short pages with a cursor, and the walk still finds every match", async () => {
    const backend = await createRedisBackend({ url: target.url, prefix: prefix() });
    try {
      const { engine } = backend;
      await engine.enqueueMany(Array.from({ length: 1100 }, (_, n) => ({ queue: "common", payload: n })));
      const rare = await engine.enqueue({ queue: "rare" });
      const first = await engine.listTasks({ queue: "rare", limit: 10 });
      expect(first.items).toEqual([]);
      expect(first.cursor).not.toBeNull();
      const second = await engine.listTasks({ queue: "rare", limit: 10, cursor: first.cursor });
      expect(second).toEqual({ items: [await engine.getTask(rare.id)], cursor: null });
      // A listQueues cursor naming no queue of the tenant is refused like a malformed one.
      const forged = Buffer.from("queues:no-such-queue").toString("base64url");
      await expect(engine.listQueues({ limit: 1, cursor: forged })).rejects.toMatchObject({ code: "VALIDATION", details: { field: "request.cursor" } });
    } finally {
      await backend.close();
    }
  });

  it("reads a task stored without the field ck (enqueued before E20) as keyless, and one with '' the same", async () => {
    const keyPrefix = prefix();
    const backend = await createRedisBackend({ url: target.url, prefix: keyPrefix });
    try {
      const { engine } = backend;
      const old = await engine.enqueue({ queue: "q", payload: "old" });
      const blank = await engine.enqueue({ queue: "q", payload: "blank" });
      const keyed = await engine.enqueue({ queue: "q", payload: "keyed", concurrencyKey: "k" });
      const taskKey = (id: string): string => `${new KeySpace(keyPrefix).tenant("default")}:t:${Buffer.from(id).toString("base64url")}`;
      await withClient(target.url, async (client) => {
        expect(await client.hget(taskKey(blank.id), "ck")).toBe("");
        expect(await client.hdel(taskKey(old.id), "ck")).toBe(1);
      });
      expect((await engine.getTask(old.id))?.concurrencyKey).toBeUndefined();
      expect((await engine.getTask(blank.id))?.concurrencyKey).toBeUndefined();
      expect((await engine.getTask(keyed.id))?.concurrencyKey).toBe("k");
      const leases = await engine.claim({ workerId: "w", queues: ["q"], leaseMs: 60_000, limit: 3 });
      expect(leases.map((lease) => [lease.payload, lease.concurrencyKey])).toEqual([["old", undefined], ["blank", undefined], ["keyed", "k"]]);
      for (const lease of leases) await engine.complete(lease);
      expect((await engine.queueStats("q")).counts).toMatchObject({ completed: 3, leased: 0, ready: 0 });
    } finally {
      await backend.close();
    }
  });

  it("E25: keeps a waitpoint's fingerprint and never its token, before and after the token delivers", async () => {
    const keyPrefix = prefix();
    const clock = new ManualClock();
    const backend = await createRedisBackend({ url: target.url, prefix: keyPrefix, clock });
    const tokens: string[] = [];
    try {
      const { engine } = backend;
      await engine.enqueue({ queue: "q" });
      const [lease] = await engine.claim({ workerId: "w", queues: ["q"], leaseMs: 60_000 });
      if (!lease) throw new Error("nothing claimed");
      for (const key of ["a", "b"]) tokens.push((await engine.createWaitpoint(lease, { key, expiresInMs: 60_000 })).token);
      await engine.signal({ token: tokens[0] ?? "" });
      expect((await engine.listWaitpoints(lease.taskId)).map((info) => info.state)).toEqual(["delivered", "pending"]);
    } finally {
      await backend.close();
    }
    const url = new URL(target.url);
    url.searchParams.set("prefix", keyPrefix);
    const stored: Buffer[] = [];
    for await (const key of dumpNamespace(url.href)) stored.push(Buffer.from(key.key), ...key.values);
    for (const token of tokens) {
      expect(stored.some((value) => value.includes(waitpointFingerprint(token)))).toBe(true);
      for (const part of [token, token.slice(token.lastIndexOf(".") + 1)]) expect(stored.some((value) => value.includes(part))).toBe(false);
    }
  });

  it("rejects a prefix core's namespace rule rejects", async () => {
    for (const bad of ["", "x".repeat(64), "a\uD800"]) {
      await expect(createRedisBackend({ url: target.url, prefix: bad })).rejects.toMatchObject({ code: "VALIDATION" });
    }
  });

  it("keeps a prefix with tag, separator or glob characters in keys of its own, apart from every plain prefix", async () => {
    const plain = prefix();
    const spaced = new KeySpace(`${plain}}:*`);
    expect(spaced.prefix).toMatch(/^~[A-Za-z0-9_-]+$/);
    expect(spaced.global).not.toContain("}:*");
    const backends = [await createRedisBackend({ url: target.url, prefix: plain }), await createRedisBackend({ url: target.url, prefix: `${plain}}:*` })];
    const text = new TextEncoder();
    try {
      await backends[0]!.state.set("k", text.encode("plain"));
      await backends[1]!.state.set("k", text.encode("odd"));
      expect(await backends[0]!.state.get("k")).toEqual(text.encode("plain"));
      expect(await backends[1]!.state.get("k")).toEqual(text.encode("odd"));
      await withClient(target.url, async (client) => {
        const plainKeys = await client.keys(new KeySpace(plain).pattern);
        expect(plainKeys).not.toEqual([]);
        expect(plainKeys.some((key) => key.startsWith("{~"))).toBe(false);
      });
    } finally {
      await Promise.all(backends.map((backend) => backend.close()));
      // The encoded prefix is outside this file's cleanup pattern: its keys go now.
      await withClient(target.url, async (client) => {
        const keys = await client.keys(spaced.pattern);
        if (keys.length > 0) await client.del(...keys);
      });
    }
  });

  it("dumpNamespace reads every key of its prefix with its value as stored, and no key of another prefix; remove drops only its prefix", async () => {
    const mine = prefix();
    // A prefix that starts with the other: a pattern of `{<prefix>*` would take its keys too.
    const neighbour = `${mine}x`;
    const backends = [await createRedisBackend({ url: target.url, prefix: mine }), await createRedisBackend({ url: target.url, prefix: neighbour })];
    try {
      for (const [index, backend] of backends.entries()) {
        await backend.state.set("k", new TextEncoder().encode(`value-of-${index}`));
        await backend.workflows.createRun({ id: "r", workflowId: "w", version: "1", input: { marker: `input-of-${index}` } });
        await backend.engine.enqueue({ queue: "q", payload: `payload-of-${index}` });
      }
    } finally {
      await Promise.all(backends.map((backend) => backend.close()));
    }
    const dump = async (keyPrefix: string): Promise<StoredKey[]> => {
      const url = new URL(target.url);
      url.searchParams.set("prefix", keyPrefix);
      const keys: StoredKey[] = [];
      for await (const key of dumpNamespace(url.href)) keys.push(key);
      return keys;
    };
    const holds = (keys: readonly StoredKey[], text: string): boolean => keys.some((key) => key.values.some((value) => value.includes(text)));

    const keys = await dump(mine);
    const onServer = await withClient(target.url, (client) => client.keys(new KeySpace(mine).pattern));
    expect(keys.map((key) => key.key).sort()).toEqual(onServer.sort());
    const schema = new KeySpace(mine).schema;
    expect(keys.find((key) => key.key === schema)).toEqual({ key: schema, type: "string", values: [Buffer.from(String(SCHEMA_VERSION))] });
    expect(new Set(keys.map((key) => key.type)).size).toBeGreaterThan(1);
    for (const text of ["value-of-0", "input-of-0", "payload-of-0"]) expect(holds(keys, text), text).toBe(true);
    for (const text of ["value-of-1", "input-of-1", "payload-of-1"]) expect(holds(keys, text), text).toBe(false);

    const remover = openNamespaceRemover(target.url);
    try {
      await remover.remove(mine);
    } finally {
      await remover.close();
    }
    expect(await dump(mine)).toEqual([]);
    expect(holds(await dump(neighbour), "value-of-1")).toBe(true);
  });
});

describe("unreachable servers", () => {
  it("a cluster none of whose seed nodes answers is UNAVAILABLE (no endless retries), naming the nodes", async () => {
    const error: unknown = await createRedisBackend({ cluster: { nodes: ["127.0.0.1:1", "127.0.0.1:2"] }, connectTimeoutMs: 1000 }).catch((caught: unknown) => caught);
    expect(MooringError.is(error, "UNAVAILABLE")).toBe(true);
    expect((error as MooringError).message).toMatch(/127\.0\.0\.1:1,127\.0\.0\.1:2 is unreachable: .*(closed|refused|ECONNREFUSED)/);
    expect((error as MooringError).cause).toBeInstanceOf(Error);
  });
});

describe.skipIf("skip" in ephemeral)("server settings at start (ephemeral servers)", () => {
  it("reports an evicting maxmemory-policy loudly, through onWarning and doctor()", async () => {
    const redis = await EphemeralRedis.start(["--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"]);
    try {
      const warnings: string[] = [];
      const backend = await createRedisBackend({ url: redis.url, prefix: prefix(), onWarning: (message) => warnings.push(message) });
      await backend.close();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("allkeys-lru");
      expect(warnings[0]).toContain("noeviction");
      const report = await doctor({ url: redis.url });
      expect(report.nodes[0]).toMatchObject({ maxmemoryPolicy: "allkeys-lru", mayEvict: true, appendonly: false });
      expect(report.nodes[0]?.durability).toContain("no persistence");
    } finally {
      await redis.stop();
    }
  });

  it("stays quiet on a noeviction server and describes AOF durability", async () => {
    const redis = await EphemeralRedis.start(["--appendonly", "yes", "--appendfsync", "always"]);
    try {
      const warnings: string[] = [];
      const backend = await createRedisBackend({ url: redis.url, prefix: prefix(), onWarning: (message) => warnings.push(message) });
      await backend.close();
      expect(warnings).toEqual([]);
      const report = await doctor({ url: redis.url });
      expect(report.nodes[0]?.durability).toContain("appendfsync always");
    } finally {
      await redis.stop();
    }
  });

  it("gives UNAVAILABLE with the cause, quickly, for an unreachable server and after the server goes away", async () => {
    const redis = await EphemeralRedis.start();
    const backend = await createRedisBackend({ url: redis.url, prefix: prefix(), connectTimeoutMs: 1000 });
    await redis.stop();
    const error: unknown = await backend.engine.enqueue({ queue: "q" }).catch((caught: unknown) => caught);
    expect(MooringError.is(error, "UNAVAILABLE")).toBe(true);
    expect(String((error as MooringError).message)).toMatch(/ECONNREFUSED|closed|retries/);
    await backend.close();

    const refused: unknown = await createRedisBackend({ url: redis.url, connectTimeoutMs: 1000 }).catch((caught: unknown) => caught);
    expect(MooringError.is(refused, "UNAVAILABLE")).toBe(true);
    expect((refused as MooringError).message).toContain("ECONNREFUSED");
    expect((refused as MooringError).cause).toBeInstanceOf(Error);
  });
});

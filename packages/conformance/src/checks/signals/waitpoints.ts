/**
 * Checks of signed waitpoints (SPEC E25). `createWaitpoint` is a fenced holder call (the E5 and T1
 * checks of every holder call include it) returning a token an outside system signals the task
 * with, on any client of the store: once, to that task alone, while the token verifies. The checks
 * tamper with each part of the token (`mwp1.<kid>.<claims>.<mac>`, the format the contract
 * documents), walk its expiry and a rotation's grace to the millisecond, and race two uses of one
 * token. Every refused token must leave the waitpoint pending and the task waiting.
 */
import { type EngineBackend, type Lease, parseWaitpointToken, signWaitpointToken, type WaitpointInfo, type WaitpointRefusal } from "@mooring/core";
import { createHash } from "node:crypto";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { claimOne, enqueueTask, ensure, expectTask, rejectsWithDetails, same, show, succeeds } from "../support/index.js";

const LONG_EXPIRY_MS = 60 * 60 * 1000;

interface Waiting {
  readonly id: string;
  readonly lease: Lease;
  readonly token: string;
  readonly waitpointId: string;
}

/**
 * Enqueues and claims a task, issues a waitpoint on `key` and, unless `suspend` is false, suspends
 * the task on that key (the order an engine follows: hand out the token, then wait).
 */
async function taskWithWaitpoint(engine: EngineBackend, queue: string, key: string, expiresInMs = LONG_EXPIRY_MS, suspend = true): Promise<Waiting> {
  const id = await enqueueTask(engine, { queue });
  const lease = await claimOne(engine, queue, { taskId: id });
  const created = await succeeds(engine.createWaitpoint(lease, { key, expiresInMs }), "createWaitpoint");
  if (suspend) same(await succeeds(engine.suspend(lease, { keys: [key] }), "suspend on the waitpoint's key"), { suspended: true }, "suspend after createWaitpoint");
  return { id, lease, token: created.token, waitpointId: created.waitpointId };
}

/** Refuses `token` with UNAUTHORIZED `reason` and checks the refusal changed nothing and names no token. */
async function expectRefused(engine: EngineBackend, waiting: Waiting, token: string, reason: WaitpointRefusal, what: string): Promise<void> {
  const before = await engine.listWaitpoints(waiting.id);
  const error = await rejectsWithDetails(engine.signal({ token, payload: "refused" }), "UNAUTHORIZED", { reason }, what);
  const told = `${error.message} ${JSON.stringify(error.details)}`;
  ensure(!told.includes(token) && !told.includes(waiting.token), `${what}: the UNAUTHORIZED error must not repeat the token, got ${show(told)}`);
  same(await engine.listWaitpoints(waiting.id), before, `${what}: the waitpoints after a refused token`);
  await expectTask(engine, waiting.id, { state: "suspended" }, `${what}: the task after a refused token`);
}

/** The token with its claims re-encoded after `change`, its MAC kept: what an attacker can forge. */
function withClaims(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [version = "", kid = "", body = "", mac = ""] = token.split(".");
  const claims: Record<string, unknown> = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  change(claims);
  return [version, kid, Buffer.from(JSON.stringify(claims), "utf8").toString("base64url"), mac].join(".");
}

/** The token with one character of its MAC changed. */
function withFlippedMac(token: string): string {
  const last = token.at(-2) === "A" ? "B" : "A";
  return `${token.slice(0, -2)}${last}${token.slice(-1)}`;
}

function fingerprintOf(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex").slice(0, 16);
}

function kidOf(token: string): string {
  const [, kid = ""] = token.split(".");
  return kid;
}

/** The next lease of the resumed task; it carries the token's signal. */
async function expectResumedWith(ctx: CheckContext, queue: string, waiting: Waiting, key: string, payload: unknown, what: string): Promise<void> {
  const resumed = await claimOne(ctx.backend.engine, queue, { taskId: waiting.id }, `${what}: claim of the resumed task`);
  same(
    (resumed.signals ?? []).map((signal) => ({ key: signal.key, payload: signal.payload })),
    [{ key, payload }],
    `${what}: the signals the resumed task's lease carries`,
  );
}

export const checks: Check[] = [
  defineCheck({
    id: "E25.token-resumes-its-task-once",
    rule: "E25",
    title: "a waitpoint's token, used on another client, resumes its task alone (not another task suspended on the key), once: a repeat is a duplicate; listWaitpoints shows it delivered, never the token",
    requires: ["leases", "signals", "waitpoints"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const webhook = (await ctx.connect()).engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const createdAt = ctx.clock.now();
      const waiting = await taskWithWaitpoint(engine, queue, key);
      const bystander = await taskWithWaitpoint(engine, queue, key);
      const pending: WaitpointInfo = {
        waitpointId: waiting.waitpointId,
        taskId: waiting.id,
        key,
        kid: kidOf(waiting.token),
        fingerprint: fingerprintOf(waiting.token),
        expiresAt: createdAt + LONG_EXPIRY_MS,
        createdAt,
        state: "pending",
        signalId: null,
        deliveredAt: null,
      };
      const listed = await succeeds(engine.listWaitpoints(waiting.id), "listWaitpoints before the signal");
      same(listed, [pending], "the waitpoint listed before its token is used");
      ensure(!JSON.stringify(listed).includes(waiting.token), `listWaitpoints must never return the token, got ${show(listed)}`);

      ctx.clock.advance(7);
      const sent = await succeeds(webhook.signal({ token: waiting.token, payload: { approved: true } }), "signal with the token on another client");
      same({ duplicate: sent.duplicate, deliveredTo: sent.deliveredTo }, { duplicate: false, deliveredTo: [waiting.id] }, "the token's signal delivered to its task alone");
      const again = await succeeds(webhook.signal({ token: waiting.token, payload: "retried by the webhook" }), "the same token again");
      same(again, { signalId: sent.signalId, duplicate: true, deliveredTo: [] }, "a repeat of a delivered token");
      same(
        await succeeds(engine.listWaitpoints(waiting.id), "listWaitpoints after the signal"),
        [{ ...pending, state: "delivered", signalId: sent.signalId, deliveredAt: createdAt + 7 }],
        "the waitpoint after its token delivered",
      );
      await expectResumedWith(ctx, queue, waiting, key, { approved: true }, "the token's task");
      await expectTask(engine, bystander.id, { state: "suspended" }, "another task suspended on the same key (the token names one task)");
      same(await succeeds(engine.listWaitpoints(ctx.unique("task")), "listWaitpoints of an unknown task"), [], "the waitpoints of an unknown task");
    },
  }),
  defineCheck({
    id: "E25.token-before-suspend-waits-for-its-task",
    rule: "E25",
    title: "a token used before its task suspends is buffered for that task alone: another task suspending on the key does not take it, the task's own suspend does",
    requires: ["leases", "signals", "waitpoints"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const early = await taskWithWaitpoint(engine, queue, key, LONG_EXPIRY_MS, false);
      const sentAt = ctx.clock.now();
      const sent = await succeeds(engine.signal({ token: early.token, payload: "early" }), "signal with the token before its task suspends");
      same({ duplicate: sent.duplicate, deliveredTo: sent.deliveredTo }, { duplicate: false, deliveredTo: [] }, "a token used before its task waits (buffered for it)");
      const other = await enqueueTask(engine, { queue });
      const otherLease = await claimOne(engine, queue, { taskId: other });
      same(await succeeds(engine.suspend(otherLease, { keys: [key] }), "another task suspends on the key"), { suspended: true }, "another task suspending on the key (the buffered signal is not its)");
      ctx.clock.advance(3);
      same(
        await succeeds(engine.suspend(early.lease, { keys: [key] }), "the token's task suspends on the key"),
        { suspended: false, signals: [{ signalId: sent.signalId, key, payload: "early", createdAt: sentAt }] },
        "the token's task suspending after its token was used",
      );
      const keySignal = await succeeds(engine.signal({ key, payload: "to the key" }), "a key signal after both suspends");
      same(keySignal.deliveredTo, [other], "a key signal reaches the other task suspended on the key");
    },
  }),
  defineCheck({
    id: "E25.expiry-to-the-millisecond",
    rule: "E25",
    title: "a token verifies 1 ms before its expiry and is UNAUTHORIZED (reason expired) at the instant and after, delivering nothing; listWaitpoints then reads expired",
    requires: ["leases", "signals", "waitpoints"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const expiresInMs = 1_000;
      const expiresAt = ctx.clock.now() + expiresInMs;
      const onTime = await taskWithWaitpoint(engine, queue, key, expiresInMs);
      const late = await taskWithWaitpoint(engine, queue, key, expiresInMs);
      ctx.clock.advance(expiresInMs - 1);
      const sent = await succeeds(engine.signal({ token: onTime.token, payload: "on time" }), "a token 1 ms before its expiry");
      same(sent.deliveredTo, [onTime.id], "a token 1 ms before its expiry delivers");
      ctx.clock.advance(1);
      same(ctx.clock.now(), expiresAt, "the clock at the expiry instant");
      await expectRefused(engine, late, late.token, "expired", "a token at its expiry instant");
      ctx.clock.advance(1);
      await expectRefused(engine, late, late.token, "expired", "a token 1 ms after its expiry");
      same((await engine.listWaitpoints(late.id)).map((waitpoint) => waitpoint.state), ["expired"], "the state of a waitpoint past its expiry");
      same((await engine.listWaitpoints(onTime.id)).map((waitpoint) => waitpoint.state), ["delivered"], "a delivered waitpoint stays delivered past its expiry");
    },
  }),
  defineCheck({
    id: "E25.refused-tokens-deliver-nothing",
    rule: "E25",
    title: "malformed, forged and tampered tokens (key, task, expiry, waitpoint, tenant, MAC, kid) are UNAUTHORIZED with their reason, deliver nothing, and leave the real token usable",
    requires: ["leases", "signals", "waitpoints"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const waiting = await taskWithWaitpoint(engine, queue, key);
      const other = await taskWithWaitpoint(engine, queue, ctx.unique("other-key"));
      const parsed = parseWaitpointToken(waiting.token);
      ensure(parsed !== null, `the token must be mwp1.<kid>.<claims>.<mac> (the contract's format), got one of ${waiting.token.length} characters`);
      const refusals: [string, string, WaitpointRefusal][] = [
        ["an empty-looking token", "x", "malformed"],
        ["a token of another version", waiting.token.replace(/^mwp1\./, "mwp9."), "malformed"],
        ["a token without its MAC", waiting.token.slice(0, waiting.token.lastIndexOf(".")), "malformed"],
        ["a token with a truncated MAC", waiting.token.slice(0, -4), "malformed"],
        ["a token whose claims are not JSON", [waiting.token.split(".")[0], kidOf(waiting.token), "bm90LWpzb24", waiting.token.split(".")[3]].join("."), "malformed"],
        ["a token with a flipped MAC", withFlippedMac(waiting.token), "signature"],
        ["a token whose key was changed", withClaims(waiting.token, (claims) => (claims.y = `${key}-x`)), "signature"],
        ["a token moved to another task", withClaims(waiting.token, (claims) => (claims.k = other.id)), "signature"],
        ["a token whose expiry was extended", withClaims(waiting.token, (claims) => (claims.e = (claims.e as number) + LONG_EXPIRY_MS)), "signature"],
        ["a token moved to another waitpoint", withClaims(waiting.token, (claims) => (claims.w = other.waitpointId)), "signature"],
        ["a token naming another tenant", withClaims(waiting.token, (claims) => (claims.t = ctx.unique("tenant"))), "tenant"],
        [
          "a token signed with a secret the store never made, under its real kid",
          signWaitpointToken(parsed.claims, { kid: parsed.kid, secret: Buffer.alloc(32, 7).toString("base64url") }),
          "signature",
        ],
        ["a token signed under a kid the store does not have", signWaitpointToken(parsed.claims, { kid: "a2lkLW5vdC1pc3N1ZWQ", secret: Buffer.alloc(32, 7).toString("base64url") }), "kid"],
      ];
      for (const [what, token, reason] of refusals) await expectRefused(engine, waiting, token, reason, what);
      const sent = await succeeds(engine.signal({ token: waiting.token, payload: "real" }), "the real token after every refusal");
      same(sent.deliveredTo, [waiting.id], "the real token still delivers after every refused one");
    },
  }),
  defineCheck({
    id: "E25.other-tenant-refused",
    rule: "E25",
    title: "a real token presented on another tenant's view is UNAUTHORIZED (reason tenant) and delivers nothing; its own tenant's view still takes it",
    requires: ["leases", "signals", "waitpoints", "tenancy"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const waiting = await taskWithWaitpoint(engine, queue, ctx.unique("key"));
      const other = ctx.backend.forTenant(ctx.unique("tenant")).engine;
      await succeeds(other.rotateWaitpointSecret({ graceMs: 0 }), "another tenant makes a secret of its own");
      const before = await engine.listWaitpoints(waiting.id);
      await rejectsWithDetails(other.signal({ token: waiting.token }), "UNAUTHORIZED", { reason: "tenant" }, "the real token on another tenant's view");
      same(await engine.listWaitpoints(waiting.id), before, "the waitpoint after its token was refused on another tenant's view");
      await expectTask(engine, waiting.id, { state: "suspended" }, "the task after its token was refused on another tenant's view");
      same((await succeeds(engine.signal({ token: waiting.token }), "the token on its own tenant's view")).deliveredTo, [waiting.id], "the token on its own tenant's view");
    },
  }),
  defineCheck({
    id: "E25.rotation-grace",
    rule: "E25",
    title: "rotateWaitpointSecret: new tokens carry the new kid; tokens of the previous secret verify until graceUntil (exclusive), a later rotation never extends that grace, and the first rotation of a store with no secret reports no previous one",
    requires: ["leases", "signals", "waitpoints"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const fresh = (await ctx.openNamespace()).engine;
      const first = await succeeds(fresh.rotateWaitpointSecret({ graceMs: 100 }), "the first rotation of a tenant with no secret");
      same({ previousKid: first.previousKid, graceUntil: first.graceUntil }, { previousKid: null, graceUntil: null }, "a rotation with no secret before it");

      const early = await taskWithWaitpoint(engine, queue, key);
      const atEnd = await taskWithWaitpoint(engine, queue, key);
      const afterEnd = await taskWithWaitpoint(engine, queue, key);
      const oldKid = kidOf(early.token);
      const rotatedAt = ctx.clock.now();
      const rotated = await succeeds(engine.rotateWaitpointSecret({ graceMs: 100 }), "rotateWaitpointSecret with 100 ms of grace");
      same({ previousKid: rotated.previousKid, graceUntil: rotated.graceUntil }, { previousKid: oldKid, graceUntil: rotatedAt + 100 }, "the rotation's report");
      ensure(rotated.kid !== oldKid, `the new kid must differ from the previous one, both are ${show(oldKid)}`);
      const renewed = await taskWithWaitpoint(engine, queue, key);
      same(kidOf(renewed.token), rotated.kid, "the kid of a token made after the rotation");

      ctx.clock.advance(10);
      const longer = await succeeds(engine.rotateWaitpointSecret({ graceMs: 10_000 }), "a second rotation with a longer grace");
      same(longer.previousKid, rotated.kid, "the second rotation's previous kid");
      ctx.clock.advance(89);
      same((await succeeds(engine.signal({ token: early.token }), "a previous-secret token 1 ms before graceUntil")).deliveredTo, [early.id], "a token of the first secret 1 ms before its grace ends");
      ctx.clock.advance(1);
      await expectRefused(engine, atEnd, atEnd.token, "kid", "a token of the first secret at its graceUntil (a later rotation does not extend it)");
      ctx.clock.advance(1);
      await expectRefused(engine, afterEnd, afterEnd.token, "kid", "a token of the first secret 1 ms after its graceUntil");
      same((await succeeds(engine.signal({ token: renewed.token }), "a token of the second secret in the third's grace")).deliveredTo, [renewed.id], "a token of the secret the second rotation retired, within its grace");
    },
  }),
  defineCheck({
    id: "E25.concurrent-uses-deliver-once",
    rule: "E25",
    title: "the same token used by several clients at once delivers once: exactly one use is not a duplicate, every use names the same signal, and the task resumes with one signal",
    requires: ["leases", "signals", "waitpoints"],
    kind: "race",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const clients = [engine, ...(await Promise.all([ctx.connect(), ctx.connect(), ctx.connect()])).map((backend) => backend.engine)];
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const waiting = await taskWithWaitpoint(engine, queue, key);
      const results = await Promise.all(clients.map((client, index) => succeeds(client.signal({ token: waiting.token, payload: index }), `signal with the token on client ${index}`)));
      const firsts = results.filter((result) => !result.duplicate);
      const first = firsts[0];
      ensure(firsts.length === 1 && first !== undefined, `exactly one use of a token may deliver, got ${show(results)}`);
      same(first.deliveredTo, [waiting.id], "the delivering use's deliveredTo");
      for (const result of results) same(result.signalId, first.signalId, "every use's signalId (the one delivery)");
      const resumed = await claimOne(engine, queue, { taskId: waiting.id }, "claim of the resumed task");
      same((resumed.signals ?? []).length, 1, "signals on the resumed task's lease");
    },
  }),
];

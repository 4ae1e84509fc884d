/**
 * API tokens (T3): the plaintext is returned once and appears nowhere afterwards, not even as a
 * hash (SPEC §10.12); validation works from any view, and revoked, expired or unknown tokens
 * validate to null; tokens carry enough entropy.
 */
import { createHash } from "node:crypto";
import type { Backend, CreatedToken, TokenInfo } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { advanceTo, ensure, same, show, succeeds } from "../support/index.js";

/** Every form in which a token's secret could leak into a listed record. */
function secretForms(token: string): string[] {
  const digest = createHash("sha256").update(token, "utf8").digest();
  const secret = token.replace(/^[A-Za-z]+_/, "");
  return [token, secret, digest.toString("hex"), digest.toString("base64"), digest.toString("base64url")];
}

/** Every string (member names included) anywhere inside `value`. */
function stringsIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === "string") {
    found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) stringsIn(item, found);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, member] of Object.entries(value)) {
      found.push(key);
      stringsIn(member, found);
    }
  }
  return found;
}

/** Fails when any string inside `value` contains any form of any of `tokens`' secrets. */
function expectNoSecrets(value: unknown, tokens: readonly string[], what: string): void {
  const strings = stringsIn(value);
  for (const token of tokens) {
    for (const form of secretForms(token)) {
      const leak = strings.find((text) => text.toLowerCase().includes(form.toLowerCase()));
      ensure(leak === undefined, `${what} reveals a token secret or its hash in ${show(leak)}`);
    }
  }
}

/** The identity validate must return for a created token. */
function identityOf(info: TokenInfo): { id: string; tenantId: string; name: string; role: string; expiresAt: number | null } {
  return { id: info.id, tenantId: info.tenantId, name: info.name, role: info.role, expiresAt: info.expiresAt };
}

/** SPEC T3: `mrt_` (a prefix secret scanners match), then 32 random bytes in base64url (43 characters, no padding). */
const TOKEN_SHAPE = /^mrt_([A-Za-z0-9_-]{43})$/;

export const checks: Check[] = [
  defineCheck({
    id: "T3.create-and-validate",
    rule: "T3",
    title: "a created token validates on every view and client to its tenant, name and role",
    requires: ["tokens", "tenancy"],
    kind: "example",
    async run(ctx) {
      const tenantId = ctx.unique("tenant");
      const view = ctx.backend.forTenant(tenantId);
      const created = ctx.clock.now();
      const { token, info } = await succeeds(view.tokens.create({ name: "deploy bot", role: "writer" }), "tokens.create");
      ensure(typeof token === "string" && token.length > 0, `tokens.create must return the plaintext, got ${show(token)}`);
      same(
        { tenantId: info.tenantId, name: info.name, role: info.role, createdAt: info.createdAt, expiresAt: info.expiresAt, revokedAt: info.revokedAt },
        { tenantId, name: "deploy bot", role: "writer", createdAt: created, expiresAt: null, revokedAt: null },
        "the created token's info",
      );
      expectNoSecrets(info, [token], "the info returned by tokens.create");
      const second: Backend = await ctx.connect();
      const views: [string, Backend][] = [
        ["the token's tenant view", view],
        ["the root view", ctx.backend],
        ["another tenant's view", ctx.backend.forTenant(ctx.unique("other"))],
        ["another client's root view", second],
      ];
      for (const [label, where] of views) {
        same(await succeeds(where.tokens.validate(token), `tokens.validate on ${label}`), identityOf(info), `tokens.validate on ${label}`);
      }
    },
  }),
  defineCheck({
    id: "T3.list-reveals-nothing",
    rule: "T3",
    title: "tokens.list returns the tenant's tokens oldest first without any secret or hash (SPEC §10.12)",
    requires: ["tokens", "tenancy"],
    kind: "example",
    async run(ctx) {
      const view = ctx.backend.forTenant(ctx.unique("tenant"));
      const other = ctx.backend.forTenant(ctx.unique("other"));
      const created: CreatedToken[] = [];
      for (const name of ["first", "second", "third"]) {
        created.push(await succeeds(view.tokens.create({ name, role: "reader" }), `tokens.create ${name}`));
        ctx.clock.advance(1);
      }
      const foreign = await succeeds(other.tokens.create({ name: "foreign", role: "admin" }), "tokens.create in another tenant");
      const listed = await succeeds(view.tokens.list(), "tokens.list");
      same(
        listed.map((info) => info.id),
        created.map((token) => token.info.id),
        "tokens listed for the tenant (oldest first, none of another tenant's)",
      );
      for (const [index, info] of listed.entries()) same(info, created[index]?.info, `listed token ${index}`);
      expectNoSecrets(listed, [...created.map((token) => token.token), foreign.token], "tokens.list");
      expectNoSecrets(await succeeds(other.tokens.list(), "tokens.list in another tenant"), created.map((token) => token.token), "another tenant's tokens.list");
    },
  }),
  defineCheck({
    id: "T3.revoke",
    rule: "T3",
    title: "a revoked token validates to null; revoke is confined to the token's tenant",
    requires: ["tokens", "tenancy"],
    kind: "example",
    async run(ctx) {
      const view = ctx.backend.forTenant(ctx.unique("tenant"));
      const other = ctx.backend.forTenant(ctx.unique("other"));
      const { token, info } = await succeeds(view.tokens.create({ name: "temp", role: "reader" }), "tokens.create");
      same(await succeeds(other.tokens.revoke(info.id), "tokens.revoke on another tenant's view"), false, "revoke of another tenant's token");
      same(await succeeds(view.tokens.validate(token), "tokens.validate"), identityOf(info), "a token another tenant tried to revoke");
      ctx.clock.advance(10);
      same(await succeeds(view.tokens.revoke(info.id), "tokens.revoke"), true, "revoke of the tenant's token");
      same(await succeeds(other.tokens.validate(token), "tokens.validate after revoke"), null, "tokens.validate of a revoked token");
      same(await succeeds(view.tokens.revoke(info.id), "a second tokens.revoke"), false, "a second revoke");
      same(await succeeds(view.tokens.revoke(ctx.unique("no-such-token")), "tokens.revoke of an unknown id"), false, "revoke of an unknown id");
      same(
        (await succeeds(view.tokens.list(), "tokens.list")).map((listed) => ({ id: listed.id, revokedAt: listed.revokedAt })),
        [{ id: info.id, revokedAt: ctx.clock.now() }],
        "the revoked token in tokens.list",
      );
    },
  }),
  defineCheck({
    id: "T3.expiry",
    rule: "T3",
    title: "a token validates until its expiresAt and is null from then on",
    requires: ["tokens"],
    kind: "example",
    async run(ctx) {
      const expiresAt = ctx.clock.now() + 1_000;
      const { token, info } = await succeeds(ctx.backend.tokens.create({ name: "short-lived", role: "reader", expiresAt }), "tokens.create");
      same(info.expiresAt, expiresAt, "the token's expiresAt");
      advanceTo(ctx.clock, expiresAt - 1);
      same(await succeeds(ctx.backend.tokens.validate(token), "tokens.validate"), identityOf(info), "tokens.validate 1 ms before expiresAt");
      ctx.clock.advance(1);
      same(await succeeds(ctx.backend.tokens.validate(token), "tokens.validate"), null, "tokens.validate at expiresAt");
    },
  }),
  defineCheck({
    id: "T3.unknown",
    rule: "T3",
    title: "unknown, altered, truncated and extended tokens validate to null",
    requires: ["tokens"],
    kind: "example",
    async run(ctx) {
      const { token } = await succeeds(ctx.backend.tokens.create({ name: "real", role: "reader" }), "tokens.create");
      const last = token.slice(-1);
      const candidates = [
        "",
        "mrt_",
        ctx.unique("mrt_unknown"),
        `${token.slice(0, -1)}${last === "A" ? "B" : "A"}`,
        token.slice(0, -1),
        `${token}A`,
        token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase(),
        createHash("sha256").update(token, "utf8").digest("hex"),
      ];
      for (const candidate of candidates) {
        const what = `tokens.validate(${JSON.stringify(candidate)})`;
        same(await succeeds(ctx.backend.tokens.validate(candidate), what), null, what);
      }
    },
  }),
  defineCheck({
    id: "T3.entropy",
    rule: "T3",
    title: "tokens are mrt_ and 32 random bytes in base64url, and 1,000 of them are all distinct",
    requires: ["tokens"],
    kind: "example",
    async run(ctx) {
      const tokens = ctx.backend.tokens;
      const secrets = new Set<string>();
      const BATCH = 50;
      for (let start = 0; start < 1_000; start += BATCH) {
        const batch = await Promise.all(
          Array.from({ length: BATCH }, (_, i) => succeeds(tokens.create({ name: `bulk ${start + i}`, role: "reader" }), "tokens.create")),
        );
        for (const { token } of batch) {
          const match = TOKEN_SHAPE.exec(token);
          ensure(match?.[1] !== undefined, `a token is "mrt_" and 43 base64url characters (32 bytes), got ${show(token)}`);
          secrets.add(match[1]);
        }
      }
      same(secrets.size, 1_000, "distinct secrets among 1,000 tokens");
    },
  }),
];

/**
 * Tenant records (SPEC T2): create, get, update and list, and suspended tenants that grant nothing.
 * Tenant isolation itself (T1) is checked in `isolation/tenancy.ts`.
 */
import type { Page, TenantRecord, TenantStore } from "@mooring/core";
import { byCodePoint } from "../../model/json.js";
import { type Check, defineCheck } from "../../registry.js";
import { claimOne, enqueueTask, ensure, expectTask, rejectsWith, same, succeeds, within } from "../support/index.js";

/** Every tenant record, walking pages of `limit`. */
async function allTenants(tenants: TenantStore, limit: number): Promise<TenantRecord[]> {
  const items: TenantRecord[] = [];
  let cursor: string | null = null;
  for (let page = 0; ; page++) {
    ensure(page < 1_000, "tenants.list never returned a null cursor");
    const result: Page<TenantRecord> = await succeeds(tenants.list({ limit, cursor }), `tenants.list page ${page + 1}`);
    ensure(result.items.length <= limit, `a page of limit ${limit} returned ${result.items.length} tenants`);
    items.push(...result.items);
    if (result.cursor === null) return items;
    cursor = result.cursor;
  }
}

const records: Check[] = [
  defineCheck({
    id: "T2.tenant-records",
    rule: "T2",
    title: "tenants.create / get / update / list, visible from every view",
    requires: ["tenancy"],
    kind: "example",
    async run(ctx) {
      const tenants = ctx.backend.tenants;
      const elsewhere = ctx.backend.forTenant(ctx.unique("viewer")).tenants;
      const id = ctx.unique("tenant");
      const created = ctx.clock.now();
      const record = await succeeds(tenants.create({ id, name: "Acme" }), "tenants.create");
      same(record, { id, name: "Acme", status: "active", createdAt: created, updatedAt: created }, "the created tenant");
      same(await succeeds(elsewhere.get(id), "tenants.get on another view"), record, "the tenant read through another tenant's view");
      await rejectsWith(tenants.create({ id, name: "Again" }), "CONFLICT", "tenants.create with an existing id");
      ctx.clock.advance(25);
      const renamed = await succeeds(elsewhere.update(id, { name: "Acme Ltd" }), "tenants.update");
      same(renamed, { id, name: "Acme Ltd", status: "active", createdAt: created, updatedAt: ctx.clock.now() }, "the renamed tenant");
      same(await succeeds(tenants.get(id), "tenants.get"), renamed, "the tenant after update");
      await rejectsWith(tenants.update(ctx.unique("no-such-tenant"), { name: "x" }), "NOT_FOUND", "tenants.update of an unknown tenant");
      same(await succeeds(tenants.get(ctx.unique("no-such-tenant")), "tenants.get of an unknown tenant"), null, "tenants.get of an unknown tenant");

      // Code-point order differs from JavaScript's UTF-16 order for "\ufb01" against "😀".
      const prefix = ctx.unique("list");
      const suffixes = ["b", "a", "😀", "\ufb01", "Z", "a0"];
      for (const suffix of suffixes) await succeeds(tenants.create({ id: `${prefix}/${suffix}`, name: suffix }), `tenants.create ${suffix}`);
      const expected = suffixes.map((suffix) => `${prefix}/${suffix}`).sort(byCodePoint);
      for (const limit of [2, 100]) {
        const listed = (await allTenants(tenants, limit)).map((tenant) => tenant.id).filter((tenantId) => tenantId.startsWith(`${prefix}/`));
        same(listed, expected, `tenants listed in pages of ${limit} (code-point order, no repeats or skips)`);
      }
    },
  }),
  defineCheck({
    id: "T2.suspended-tenant",
    rule: "T2",
    title: "a suspended tenant's views accept no enqueue and grant no lease (INVALID_STATE) until reactivated",
    requires: ["leases", "tenancy"],
    kind: "example",
    async run(ctx) {
      const id = ctx.unique("tenant");
      const engine = ctx.backend.forTenant(id).engine;
      const bystander = ctx.backend.forTenant(ctx.unique("bystander")).engine;
      const queue = ctx.unique("queue");
      await succeeds(ctx.backend.tenants.create({ id, name: "Soon suspended" }), "tenants.create");
      const waiting = await enqueueTask(engine, { queue });
      same((await succeeds(ctx.backend.tenants.update(id, { status: "suspended" }), "suspend the tenant")).status, "suspended", "the tenant's status");
      await rejectsWith(engine.enqueue({ queue }), "INVALID_STATE", "enqueue in a suspended tenant");
      await rejectsWith(engine.enqueueMany([{ queue }, { queue }]), "INVALID_STATE", "enqueueMany in a suspended tenant");
      await rejectsWith(engine.claim({ workerId: "w", queues: [queue], leaseMs: 1_000, limit: 10 }), "INVALID_STATE", "claim in a suspended tenant");
      await expectTask(engine, waiting, { state: "ready", epoch: 0 }, "the suspended tenant's task");
      const elsewhere = await enqueueTask(bystander, { queue }, "enqueue in another tenant");
      await claimOne(bystander, queue, { taskId: elsewhere }, "a claim in another tenant");
      await succeeds(ctx.backend.tenants.update(id, { status: "active" }), "reactivate the tenant");
      const leases = await succeeds(engine.claim({ workerId: "w", queues: [queue], leaseMs: 1_000, limit: 10 }), "claim after reactivation");
      same(
        leases.map((lease) => lease.taskId),
        [waiting],
        "tasks claimable after reactivation (the rejected enqueues wrote nothing)",
      );
      await enqueueTask(engine, { queue }, "enqueue after reactivation");

      const bornSuspended = ctx.unique("tenant");
      await succeeds(ctx.backend.tenants.create({ id: bornSuspended, name: "Suspended", status: "suspended" }), "create a suspended tenant");
      await rejectsWith(ctx.backend.forTenant(bornSuspended).engine.enqueue({ queue }), "INVALID_STATE", "enqueue in a tenant created suspended");
    },
  }),
  defineCheck({
    id: "T2.suspended-tenant-has-no-work",
    rule: "T2",
    title: "waitForWork in a suspended tenant does not report its ready task as work (no claim could take it), and does at once after reactivation",
    requires: ["leases", "tenancy", "notifications"],
    kind: "example",
    async run(ctx) {
      const id = ctx.unique("tenant");
      const engine = ctx.backend.forTenant(id).engine;
      const queue = ctx.unique("queue");
      await succeeds(ctx.backend.tenants.create({ id, name: "Soon suspended" }), "tenants.create");
      await enqueueTask(engine, { queue });
      await succeeds(ctx.backend.tenants.update(id, { status: "suspended" }), "suspend the tenant");
      same(await within(engine.waitForWork([queue], { timeoutMs: 20 }), "waitForWork in a suspended tenant"), false, "waitForWork (20 ms timeout) in a suspended tenant with a ready task");
      await succeeds(ctx.backend.tenants.update(id, { status: "active" }), "reactivate the tenant");
      same(await within(engine.waitForWork([queue], { timeoutMs: 600_000 }), "waitForWork after reactivation"), true, "waitForWork after reactivation, with the ready task");
    },
  }),
];

export const checks: Check[] = records;

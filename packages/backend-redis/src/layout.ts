/**
 * The in-place upgrade of key layout 2 to layout 3 (`migrate()`, keys.ts). Layout 3 adds two
 * indexes under each tenant's base that enqueue and set-queue keep: B:tx, every task by its
 * enqueue order (listTasks), and B:qn, every queue with a task or settings by name (listQueues).
 * A task or queue of layout 2 is in neither, so the upgrade indexes them all: a task enqueued
 * before the index existed lists in its place, by the order it was given at enqueue.
 *
 * The upgrade SCANs the prefix on every primary and adds what it finds with ZADD, which is
 * idempotent: several processes upgrading at once agree, and an enqueue of layout 3 meanwhile
 * indexes its own tasks. A process of the previous release still running and enqueuing during the
 * upgrade writes tasks the index lacks (listTasks would not show them): stop those first, as for
 * any layout change (README "At start").
 */
import type { Redis } from "ioredis";
import type { Connection } from "./connection.js";
import { decodeId, type KeySpace } from "./keys.js";
import { escapeGlob, primariesOf, scanBatches } from "./operations.js";

/** The fields of a tenant's meta hash that hold a queue's settings (set-queue), by prefix. */
const SETTING_FIELD = /^(?:c|p|rm|rp|kc):([A-Za-z0-9_-]*)$/;

/** Indexes the tasks and queues of every tenant of the prefix (layout 2 → 3). */
export async function indexLayout2(connection: Connection, keys: KeySpace): Promise<void> {
  const prefix = escapeGlob(keys.prefix);
  const task = new RegExp(`^(\\{${escapeRegExp(keys.prefix)}:[A-Za-z0-9_-]*\\}):t:[A-Za-z0-9_-]+$`);
  const base = new RegExp(`^\\{${escapeRegExp(keys.prefix)}:[A-Za-z0-9_-]*\\}$`);
  for (const node of primariesOf(connection)) {
    for await (const batch of scanBatches(node, `{${prefix}:*`)) {
      await Promise.all(
        batch.map(async (key) => {
          const tenant = task.exec(key)?.[1];
          if (tenant !== undefined) await indexTask(connection, node, tenant, key);
          else if (base.test(key)) await indexSettings(connection, node, key);
        }),
      );
    }
  }
}

/** B:tx and B:qn get the task at `key` (its base `tenant`), read from the task itself. */
async function indexTask(connection: Connection, node: Redis, tenant: string, key: string): Promise<void> {
  const [ord, queue] = await connection.track(node.hmget(key, "ord", "q"));
  if (ord === null || ord === undefined || queue === null || queue === undefined) return;
  const tid = key.slice(key.lastIndexOf(":") + 1);
  await connection.track(node.zadd(`${tenant}:tx`, ord, tid));
  await connection.track(node.zadd(`${tenant}:qn`, 0, queue));
}

/** B:qn gets every queue that has settings in the tenant's meta hash `base`. */
async function indexSettings(connection: Connection, node: Redis, base: string): Promise<void> {
  if ((await connection.track(node.type(base))) !== "hash") return;
  const names = new Set<string>();
  for (const field of await connection.track(node.hkeys(base))) {
    const qe = SETTING_FIELD.exec(field)?.[1];
    if (qe !== undefined) names.add(decodeId(qe));
  }
  for (const name of names) await connection.track(node.zadd(`${base}:qn`, 0, name));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

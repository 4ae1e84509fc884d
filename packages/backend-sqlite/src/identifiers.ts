/**
 * Every SQL identifier this package writes comes from here. Table and index names are fixed by the
 * schema; the only part that comes from options is the namespace, and it enters SQL only through
 * `quoteIdentifier`, never by concatenation elsewhere (STYLE habit 3).
 */
import { assertNamespace as assertCoreNamespace, MooringError } from "@mooring/core";

/** The namespace used when none is given. */
export const DEFAULT_NAMESPACE = "mooring";

/**
 * The tables and indexes of the schema. A `{{name}}` placeholder in SQL text may only name one of
 * these; anything else is a programming error caught when the statement is first prepared.
 */
export const SCHEMA_OBJECTS = [
  "migrations",
  "tenants",
  "tokens",
  "tokens_by_tenant",
  "definitions",
  "definitions_by_id",
  "runs",
  "runs_by_tenant",
  "runs_by_status",
  "runs_by_workflow",
  "steps",
  "steps_by_position",
  "events",
  "events_by_id",
  "run_keys",
  "run_keys_by_run",
  "snapshots",
  "kv",
  "kv_by_expiry",
  "cache_snapshots",
  "cache_snapshots_by_expiry",
  "tasks",
  "tasks_ready",
  "tasks_scheduled",
  "tasks_leased",
  "tasks_suspended",
  "tasks_settled",
  "tasks_dead",
  "tasks_by_tenant",
  "task_deps",
  "task_deps_by_dependency",
  "task_keys",
  "task_keys_by_expiry",
  "task_waits",
  "task_waits_by_task",
  "task_signals",
  "signals",
  "signals_by_key",
  "signals_by_expiry",
  "signal_keys",
  "signal_keys_by_expiry",
  "frames",
  "task_summaries",
  "queues",
  "notifications",
  "concurrency_keys",
  "concurrency_keys_fair",
  "concurrency_keys_blocked",
  "concurrency_keys_by_grant",
  "concurrency_keys_on_insert",
  "concurrency_keys_on_state",
  "concurrency_keys_on_keyed_update",
  "tasks_ready_keyless",
  "tasks_ready_by_key",
  "tasks_leased_by_key",
  "rate_grants",
  "rate_grants_by_queue",
  "waitpoint_secrets",
  "waitpoint_secrets_current",
  "waitpoints",
  "waitpoints_by_id",
  "waitpoints_by_task",
] as const;

export type SchemaObject = (typeof SCHEMA_OBJECTS)[number];

const KNOWN = new Set<string>(SCHEMA_OBJECTS);

/**
 * Quotes one SQL identifier: wraps it in double quotes and doubles any double quote inside, the
 * SQL standard rule SQLite follows. The one identifier-quoting helper of the package.
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Checks a namespace option by core's namespace rule (1 to 63 UTF-8 bytes of well-formed text;
 * it is quoted, never interpreted), and refuses the names SQLite reserves for itself.
 * @throws VALIDATION
 */
export function assertNamespace(namespace: string): void {
  try {
    assertCoreNamespace(namespace);
  } catch (error) {
    throw MooringError.is(error) ? error.withContext("sqlite", "createSqliteBackend") : error;
  }
  if (namespace.toLowerCase().startsWith("sqlite_")) {
    throw new MooringError("VALIDATION", `namespace must not start with "sqlite_" (SQLite reserves those names), got "${namespace}"`, {
      backend: "sqlite",
      details: { field: "namespace" },
    });
  }
}

/**
 * The quoted name of a schema object in `namespace`: `"<namespace>.<object>"`. Object names hold no
 * dot, so the last dot separates the two parts and no two namespaces ever share a name.
 */
export function objectName(namespace: string, object: SchemaObject): string {
  return quoteIdentifier(`${namespace}.${object}`);
}

/** Replaces every `{{object}}` placeholder of `text` with the namespaced, quoted name. */
export function renderSql(text: string, namespace: string): string {
  return text.replace(/\{\{([a-z_]+)\}\}/g, (_match, name: string) => {
    if (!KNOWN.has(name)) throw new Error(`SQL names an unknown schema object {{${name}}}`);
    return objectName(namespace, name as SchemaObject);
  });
}

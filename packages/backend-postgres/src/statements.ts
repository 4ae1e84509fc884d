/**
 * The SQL loader: every statement the backend runs lives in `sql/<name>.sql`, one statement per
 * file, opening with a header that names its parameters and what it returns (STYLE habit 3, in
 * the manner of BullMQ's command files). Files are read once when the module loads; a backend
 * binds them to its schema and runs them as named prepared statements (graphile-worker's habit),
 * so each is parsed and planned once per connection.
 */
import { readdirSync, readFileSync } from "node:fs";
import { statementOfFile } from "@mooring/core";
import { preparedStatementName, quoteIdentifier } from "./identifiers.js";

/** Every statement file of `sql/`, by name. The loader refuses a directory that differs. */
export const STATEMENT_NAMES = [
  "ping",
  // WorkflowStore
  "definition-insert",
  "definition-get",
  "definitions-list",
  "run-insert",
  "run-get",
  "run-lock",
  "run-update",
  "run-delete",
  "runs-list",
  "runs-list-by-status",
  "runs-list-desc",
  "runs-list-of-workflow",
  "runs-list-of-workflow-desc",
  "step-upsert",
  "step-get",
  "steps-list",
  "events-append",
  "events-read",
  "events-read-desc",
  "event-get",
  "event-ids-find",
  "run-keys-claim",
  "run-keys-release",
  "run-key-get",
  "run-latest-sequence",
  "snapshot-write",
  "snapshot-latest",
  // StateStore
  "cache-snapshot-save",
  "cache-snapshot-load",
  "cache-snapshot-delete",
  "cache-snapshots-list",
  "kv-set",
  "kv-get",
  "kv-exists",
  "kv-delete",
  "kv-set-if-absent",
  "kv-compare-and-set",
  "execution-state-delete",
  // Tenants and tokens
  "tenant-insert",
  "tenant-get",
  "tenants-list",
  "tenant-update",
  "tenant-suspended",
  "token-insert",
  "token-find",
  "token-revoke",
  "tokens-list",
  // EngineBackend
  "tasks-insert",
  "enqueue-key-claim",
  "enqueue-key-find",
  "dependencies-lock",
  "dependencies-insert",
  "dependents-release",
  "dependents-cancel",
  "queues-lock",
  "tasks-claim",
  "tasks-claim-limited",
  "claim-recover",
  "leases-expired-lock",
  "leases-expired-lock-in-queues",
  "leases-expired-settle",
  "tasks-complete",
  "tasks-fence",
  "task-lock",
  "task-complete",
  "task-fail",
  "task-release",
  "task-suspend",
  "task-forget-resumption",
  "task-renew",
  "task-progress",
  "task-cancel",
  "task-revoke",
  "task-get",
  "frame-append",
  "frames-read",
  "dead-letters-list",
  "dead-letter-retry",
  "signal-key-claim",
  "signal-key-find",
  "signal-keys-lock",
  "signal-waiting-tasks",
  "signal-deliver",
  "signal-buffer-insert",
  "signal-buffer-take",
  "queue-set",
  "queue-stats",
  "work-available",
  "notify",
  "expired-purge",
  // Notifications
  "listener-register",
  "listener-heartbeat",
  "listener-unregister",
] as const;

export type StatementName = (typeof STATEMENT_NAMES)[number];

/** A statement bound to one schema, ready for `client.query`. */
export interface Statement {
  /** The prepared statement's name, unique per schema. */
  readonly name: string;
  readonly text: string;
  /** The file it came from, for messages. */
  readonly file: string;
}

export type Statements = Readonly<Record<StatementName, Statement>>;

const SQL_DIRECTORY = new URL("../sql/", import.meta.url);

/** The placeholder a statement uses for the quoted schema name; nothing else is substituted. */
export const SCHEMA_PLACEHOLDER = "{schema}";

function readStatementSources(): ReadonlyMap<StatementName, string> {
  const files = readdirSync(SQL_DIRECTORY).filter((file) => file.endsWith(".sql"));
  const expected = new Set<string>(STATEMENT_NAMES.map((name) => `${name}.sql`));
  const unknown = files.filter((file) => !expected.has(file));
  const missing = [...expected].filter((file) => !files.includes(file));
  if (unknown.length > 0 || missing.length > 0) {
    throw new Error(`sql/ does not match STATEMENT_NAMES: unknown ${unknown.join(", ") || "none"}; missing ${missing.join(", ") || "none"}`);
  }
  const sources = new Map<StatementName, string>();
  for (const name of STATEMENT_NAMES) {
    sources.set(name, statementOfFile(`${name}.sql`, readFileSync(new URL(`${name}.sql`, SQL_DIRECTORY), "utf8")));
  }
  return sources;
}

/** Read once per process; immutable afterwards. */
const SOURCES = readStatementSources();

/** Every statement bound to `schema`. */
export function loadStatements(schema: string): Statements {
  const quoted = quoteIdentifier(schema);
  const statements = {} as Record<StatementName, Statement>;
  for (const [name, source] of SOURCES) {
    statements[name] = Object.freeze({
      name: preparedStatementName(schema, name),
      text: source.replaceAll(SCHEMA_PLACEHOLDER, quoted),
      file: `sql/${name}.sql`,
    });
  }
  return Object.freeze(statements);
}

/**
 * The SQL loader: every statement the backend runs lives in `sql/<name>.sql`, one statement per
 * file, opening with a header that names its parameters and what it returns (STYLE habit 3, in
 * the manner of BullMQ's command files). Files are read once when the module loads; a backend
 * binds them to its schema and runs them as named prepared statements (graphile-worker's habit),
 * so each is parsed once per connection (the server may still plan each execution anew: a custom
 * plan, docs/decisions.md). A CTE that two statements share lives once, in `sql/parts/<name>.sql`,
 * and a statement names it on a line of its own as `{part:<name>}`.
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
  "dependents-rewait",
  "dependents-cancel",
  "queues-lock",
  "tasks-claim",
  "tasks-claim-limited",
  "keys-rejudge",
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
  "summary-set",
  "summary-get",
  "dead-letters-list",
  "task-requeue",
  "task-restore",
  "task-priority-set",
  "tasks-list",
  "tasks-list-desc",
  "queues-list",
  "signal-key-claim",
  "signal-key-find",
  "signal-keys-lock",
  "signal-waiting-tasks",
  "signal-deliver",
  "signal-buffer-insert",
  "signal-buffer-take",
  "waitpoint-secrets-lock",
  "waitpoint-secret-current",
  "waitpoint-secret-create",
  "waitpoint-secret-get",
  "waitpoint-secrets-in-force",
  "waitpoint-secrets-retire",
  "waitpoint-insert",
  "waitpoint-lock",
  "waitpoint-deliver",
  "waitpoints-list",
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
const PARTS_DIRECTORY = new URL("parts/", SQL_DIRECTORY);

/** The placeholder a statement uses for the quoted schema name. */
export const SCHEMA_PLACEHOLDER = "{schema}";

/** A line that stands for a part: `{part:<name>}`, optionally followed by a comma. */
const PART_LINE = /^\{part:([a-z0-9-]+)\}(,?)$/;

/**
 * The parts of `sql/parts/`, by name, without their header comment (it documents the file, not the
 * statement that includes it).
 */
function readParts(directory: URL): Map<string, string> {
  const parts = new Map<string, string>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith(".sql"))) {
    const lines = readFileSync(new URL(file, directory), "utf8").trim().split("\n");
    const start = lines.findIndex((line) => !line.startsWith("--"));
    if (start <= 0) throw new Error(`sql/parts/${file} must open with a header comment and hold SQL after it`);
    parts.set(file.slice(0, -".sql".length), lines.slice(start).join("\n"));
  }
  return parts;
}

/**
 * `text` with each `{part:<name>}` line replaced by the part. Records the parts used in `used`.
 * @throws Error naming `file` for a part that does not exist
 */
export function includeParts(file: string, text: string, parts: ReadonlyMap<string, string>, used: Set<string>): string {
  return text
    .split("\n")
    .map((line) => {
      const match = PART_LINE.exec(line.trim());
      if (!match) return line;
      const name = match[1] as string;
      const part = parts.get(name);
      if (part === undefined) throw new Error(`sql/${file} names the part ${name}, which sql/parts/ does not hold`);
      used.add(name);
      return part + (match[2] ?? "");
    })
    .join("\n");
}

function readStatementSources(): ReadonlyMap<StatementName, string> {
  const files = readdirSync(SQL_DIRECTORY).filter((file) => file.endsWith(".sql"));
  const expected = new Set<string>(STATEMENT_NAMES.map((name) => `${name}.sql`));
  const unknown = files.filter((file) => !expected.has(file));
  const missing = [...expected].filter((file) => !files.includes(file));
  if (unknown.length > 0 || missing.length > 0) {
    throw new Error(`sql/ does not match STATEMENT_NAMES: unknown ${unknown.join(", ") || "none"}; missing ${missing.join(", ") || "none"}`);
  }
  const parts = readParts(PARTS_DIRECTORY);
  const used = new Set<string>();
  const sources = new Map<StatementName, string>();
  for (const name of STATEMENT_NAMES) {
    const file = `${name}.sql`;
    sources.set(name, statementOfFile(file, includeParts(file, readFileSync(new URL(file, SQL_DIRECTORY), "utf8"), parts, used)));
  }
  const unused = [...parts.keys()].filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`sql/parts/ holds parts no statement names: ${unused.join(", ")}`);
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

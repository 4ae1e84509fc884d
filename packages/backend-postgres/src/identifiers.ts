/**
 * The one place that turns names from options (the schema) into SQL identifiers and Postgres
 * object names (STYLE habit 3). Nothing else in the package writes a schema name into SQL.
 */
import { createHash } from "node:crypto";
import { assertNamespace, MooringError } from "@mooring/core";

/** Postgres truncates identifiers longer than NAMEDATALEN - 1 bytes; a truncated name could collide. */
const MAX_IDENTIFIER_BYTES = 63;

/** The schema every object lives in unless `schema` / `namespace` says otherwise. */
export const DEFAULT_SCHEMA = "mooring";

/**
 * Checks a schema name by core's namespace rule: 1 to 63 UTF-8 bytes of well-formed text without
 * U+0000. Any such character is allowed, since the name is always quoted.
 * @throws VALIDATION
 */
export function assertSchemaName(schema: unknown): asserts schema is string {
  const fail = (problem: string): never => {
    throw new MooringError("VALIDATION", `schema ${problem}`, { backend: "postgres", operation: "createPostgresBackend", details: { field: "schema" } });
  };
  if (typeof schema !== "string") fail("must be a string");
  // Core's one namespace rule: well-formed text (two different lone surrogates would otherwise
  // reach the server as the same replacement character, and two deployments would share a
  // schema), 1 to 63 UTF-8 bytes (Postgres truncates longer names).
  try {
    assertNamespace(schema, "schema");
  } catch (error) {
    throw MooringError.is(error) ? error.withContext("postgres", "createPostgresBackend") : error;
  }
}

/** `name` as a quoted SQL identifier: `"name"`, with embedded quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A short, stable tag of a schema name, for object names that must fit in 63 bytes. */
function schemaTag(schema: string): string {
  return createHash("sha256").update(schema, "utf8").digest("hex").slice(0, 12);
}

/**
 * The LISTEN/NOTIFY channel of a schema. One channel per schema, so that deployments sharing a
 * database never wake each other; tenants are told apart by the payload.
 */
export function notificationChannel(schema: string): string {
  return `mooring_${schemaTag(schema)}`;
}

/**
 * The name of a prepared statement. Prepared statements live per connection; the schema's tag
 * keeps two backends on different schemas from colliding on a shared pool.
 */
export function preparedStatementName(schema: string, statement: string): string {
  const name = `mooring_${schemaTag(schema)}_${statement}`;
  if (Buffer.byteLength(name, "utf8") > MAX_IDENTIFIER_BYTES) throw new Error(`statement name ${statement} is too long for a prepared statement`);
  return name;
}

/** The key of the advisory lock that serializes migrations of one schema. */
export function migrationLockKey(schema: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${createHash("sha256").update(`mooring-migrate:${schema}`, "utf8").digest("hex").slice(0, 16)}`));
}

/** The prefix of the advisory-lock keys of signal keys (E14, E15), so that schemas do not share locks. */
export function signalLockScope(schema: string): string {
  return `mooring-signal:${schemaTag(schema)}`;
}

/**
 * The prefix of the advisory-lock keys of each tenant's waitpoint secrets (E25), apart from the
 * signal keys' so that a tenant's secret lock never shares a key with one of its signal keys.
 */
export function waitpointLockScope(schema: string): string {
  return `mooring-waitpoint-secrets:${schemaTag(schema)}`;
}

/**
 * `mooring migrate --backend URL`: opens the backend without migrating, runs `migrate()` (SPEC
 * section 1: idempotent, safe when several processes run it at once), and prints what it did by
 * comparing the namespace's applied migrations before and after.
 *
 * Exit status: 0 when the schema is current, 1 when the backend cannot be opened or migrated
 * (the message says which and why), 2 for a usage error.
 */
import { type Backend, MooringError, openBackend, redact, type SchemaState } from "@mooring/core";
import { loadOperations } from "./backends.js";
import { type CliIo, colorsFor, describeError, writeLines } from "./io.js";
import { type BackendKind, kindOfUrl } from "./targets.js";

export async function migrateCommand(options: { readonly backend: string }, io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  const colors = colorsFor(io.stdout, env);
  const errors = colorsFor(io.stderr, env);
  const url = options.backend;
  const kind = kindOfUrl(url);
  const shown = redact(url);

  let readSchemaState: (url: string) => Promise<SchemaState | null>;
  let before: SchemaState | null;
  try {
    ({ readSchemaState } = await loadOperations(kind));
    before = await readSchemaState(url);
  } catch (error) {
    writeLines(io.stderr, errors.red(`migrate: cannot read the schema of ${shown}: ${explain(error, kind)}`));
    return 1;
  }

  let backend: Backend | undefined;
  try {
    backend = await openBackend(url, { migrate: false });
  } catch (error) {
    writeLines(io.stderr, errors.red(`migrate: cannot open ${shown}: ${explain(error, kind)}`));
    return 1;
  }
  try {
    await backend.migrate();
  } catch (error) {
    writeLines(io.stderr, errors.red(`migrate: migrating ${shown} failed: ${explain(error, kind)}`));
    return 1;
  } finally {
    await backend.close().catch(() => undefined);
  }

  if (before === null) {
    writeLines(io.stdout, `${shown}: ${kind} keeps no schema; migrate() had nothing to do.`);
    return 0;
  }
  let after: SchemaState | null;
  try {
    after = await readSchemaState(url);
  } catch (error) {
    writeLines(io.stderr, errors.yellow(`migrate: ${shown} was migrated, but reading its schema afterwards failed: ${explain(error, kind)}`));
    return 0;
  }
  const applied = (after?.applied ?? []).filter((migration) => !before.applied.some((earlier) => earlier.version === migration.version));
  const latest = after?.applied.at(-1);
  const where = after?.location ?? before.location;
  if (applied.length === 0) {
    writeLines(io.stdout, `${shown}: ${where} is current${latest ? ` at version ${latest.version} (${latest.name})` : ""}; nothing to apply.`);
  } else {
    writeLines(
      io.stdout,
      `${shown}: ${where}: applied ${applied.length === 1 ? "1 migration" : `${applied.length} migrations`}:`,
      ...applied.map((migration) => colors.green(`  ${migration.version}  ${migration.name}`)),
      `now at version ${latest?.version ?? 0}.`,
    );
  }
  return 0;
}

/** The error, with a hint for the failures a person can fix from here. */
function explain(error: unknown, kind: BackendKind): string {
  const message = describeError(error);
  if (MooringError.is(error, "UNAVAILABLE") || MooringError.is(error, "TIMEOUT")) return `${message} (is the ${kind} server running and reachable?)`;
  if (MooringError.is(error, "INVALID_STATE")) return `${message} (the schema was not changed)`;
  return message;
}

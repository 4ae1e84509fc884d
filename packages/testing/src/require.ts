/**
 * SPEC section 9's rule for a backend that cannot be had: a loud skip with the reason, except when
 * `MOORING_REQUIRE` (a comma list of memory, sqlite, postgres, redis, redis-cluster; CI sets it)
 * names it, where it is a failure.
 */

export const BACKEND_KINDS = ["memory", "sqlite", "postgres", "redis", "redis-cluster"] as const;

export type BackendKind = (typeof BACKEND_KINDS)[number];

/** The kinds `MOORING_REQUIRE` lists; unknown names are ignored. */
export function requiredKinds(env: NodeJS.ProcessEnv = process.env): Set<BackendKind> {
  const listed = (env.MOORING_REQUIRE ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  return new Set(listed.filter((part): part is BackendKind => (BACKEND_KINDS as readonly string[]).includes(part)));
}

/** Whether `MOORING_REQUIRE` makes a missing `kind` a failure. */
export function required(kind: BackendKind, env: NodeJS.ProcessEnv = process.env): boolean {
  return requiredKinds(env).has(kind);
}

/**
 * Reports that `kind` cannot be had for `what` ("redis tests", "postgres scenarios", a test
 * file): throws under `MOORING_REQUIRE`, else warns loudly through `warn` and returns the message,
 * for the skipped test's title.
 * @throws Error when `MOORING_REQUIRE` names `kind`
 */
export function skipLoudly(kind: BackendKind, what: string, reason: string, warn: (message: string) => void = (message) => console.warn(message)): string {
  const message = `${what} cannot run: ${reason}`;
  if (required(kind)) throw new Error(`${message} (MOORING_REQUIRE names ${kind}, so this is a failure)`);
  warn(`\n*** SKIPPING ${message} ***\n`);
  return message;
}

/**
 * What a backend package exports for operators (the `mooring` command's `doctor` and `migrate`,
 * and the conformance kit's cleanup), beside its factory and `openFromUrl`. Each backend owns
 * its layout (tables, ledgers, key names) and its server's settings; callers only dispatch by URL.
 * Every member takes the URL `openFromUrl` takes, with the same query parameters.
 */

/** How a setting is judged: fine, worth knowing, or something to fix before relying on it. */
export type Verdict = "ok" | "warning" | "problem";

/** One thing `doctor` looked at, with its verdict and a one-line why. */
export interface DoctorFinding {
  /** What was looked at: "reachable", "maxmemory-policy", "127.0.0.1:7001 version". */
  readonly subject: string;
  readonly verdict: Verdict;
  /** What was found: "allkeys-lru", "0.21 ms". */
  readonly value: string;
  /** Why the verdict, in one line. */
  readonly why: string;
}

/** A migration a namespace has had. */
export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
}

/** Which migrations one namespace has had. */
export interface SchemaState {
  /** Where the schema lives, for messages: `namespace "mooring" of ./app.db`, `schema "mooring"`. */
  readonly location: string;
  /** Applied migrations, oldest first; empty when the namespace has none yet. */
  readonly applied: readonly AppliedMigration[];
}

/** What the caller of `inspectServer` measures and words itself, so that every backend reports them alike. */
export interface DoctorProbes {
  /** Opens the backend on the URL without migrating and pings it: the "reachable" finding. */
  reachability(): Promise<DoctorFinding>;
  /** The "schema" finding for a namespace's state (null: the backend keeps no schema). */
  schema(state: SchemaState | null): DoctorFinding;
}

/** Removes namespaces of one server or file, through one connection opened on first use. */
export interface NamespaceRemover {
  /** Removes `namespace` and everything in it; nothing when it does not exist. Never touches another namespace. */
  remove(namespace: string): Promise<void>;
  /** Removes every namespace whose name starts with `start` (a run's or a test file's prefix). */
  removeEveryStartingWith(start: string): Promise<void>;
  /** Ends the connection, if one was opened. */
  close(): Promise<void>;
}

/** The operations surface every backend package exports under these names. */
export interface BackendOperations {
  /** The query parameters of the URL that name the namespace (schema, key prefix, table prefix); the first present wins. */
  readonly NAMESPACE_URL_PARAMETERS: readonly string[];
  /**
   * Every finding about the server or file `url` names: reachability (through `probes`, unless
   * opening would create something), the version and settings that matter for durable work, and
   * the namespace's schema. Reads only: creates no file, schema or key. Never rejects for a
   * server that does not answer: that is a finding.
   */
  inspectServer(url: string, probes: DoctorProbes): Promise<DoctorFinding[]>;
  /** The migrations the namespace `url` names has had, read without changing anything; null when the backend keeps no schema there. */
  readSchemaState(url: string): Promise<SchemaState | null>;
  /** A remover of namespaces on the server or file `url` names (its own namespace parameter is ignored). */
  openNamespaceRemover(url: string): NamespaceRemover;
}

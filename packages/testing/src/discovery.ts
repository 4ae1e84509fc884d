/**
 * SPEC section 9's order, once for every kind of server: the URL of its variable (when it
 * answers), the server on the default local port, a container when a Docker engine answers, an
 * ephemeral server from the local binaries. Each kind (postgres.ts, redis.ts) says how to ask
 * and how to start one.
 */
import { dockerReachable } from "./docker.js";

/** A server found or started. `stop` ends only what was started for it (nothing for a shared server). */
export interface FoundServer {
  readonly url: string;
  /** How it was found, for messages: "MOORING_POSTGRES_URL", "local 127.0.0.1:6379", "testcontainers", … */
  readonly source: string;
  stop(): Promise<void>;
}

export type Found = { readonly server: FoundServer } | { readonly server: null; readonly reason: string };

export interface ServerSearch {
  /** The variable that names an explicit URL: `MOORING_POSTGRES_URL`. */
  readonly variable: string;
  /** The local server: its URL, its source and what to say when it does not answer. */
  readonly local: { readonly url: string; readonly source: string; readonly absent: string };
  /** Whether a server answers at `url` (quickly: a missing server must not stall the tests). */
  answers(url: string): Promise<boolean>;
  /** Starts a container (testcontainers is imported only then). */
  startContainer(): Promise<FoundServer>;
  /** Starts an ephemeral server, or resolves why none can be started here. */
  startEphemeral(): Promise<FoundServer | string>;
}

/** The first server `search` finds in SPEC section 9's order, or every reason why none. */
export async function findServer(search: ServerSearch): Promise<Found> {
  const tried: string[] = [];
  const explicit = process.env[search.variable];
  if (explicit) {
    if (await search.answers(explicit)) return { server: shared(explicit, search.variable) };
    tried.push(`${search.variable} does not answer`);
  }
  if (await search.answers(search.local.url)) return { server: shared(search.local.url, search.local.source) };
  tried.push(search.local.absent);
  if (await dockerReachable()) {
    try {
      return { server: await search.startContainer() };
    } catch (error) {
      tried.push(`testcontainers failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    tried.push("no Docker engine for testcontainers");
  }
  const ephemeral = await search.startEphemeral();
  if (typeof ephemeral !== "string") return { server: ephemeral };
  tried.push(ephemeral);
  return { server: null, reason: tried.join("; ") };
}

function shared(url: string, source: string): FoundServer {
  return { url, source, stop: async () => undefined };
}

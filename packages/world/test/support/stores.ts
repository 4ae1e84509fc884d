/** Stores the World's tests open by URL, each with what to remove after the file. */
import { findTestServer, SchemaNames } from "@mooring/testing/postgres";

/** A store for one test file: its URL, and how to clean up after the file. */
export interface StoreTarget {
  readonly url: string;
  cleanUp(): Promise<void>;
}

/**
 * A schema of its own on the Postgres server of SPEC section 9 (found by `@mooring/testing`), or
 * why there is none; cleaning up drops the schema and stops only a server started for the file.
 */
export async function postgresStore(file: string, prefix: string, schema: string): Promise<StoreTarget | { readonly skip: string }> {
  const { server, reason } = await findTestServer(file);
  if (!server) return { skip: reason };
  const schemas = new SchemaNames(server.url, prefix);
  const url = new URL(server.url);
  url.searchParams.set("schema", schemas.name(schema));
  return {
    url: url.toString(),
    cleanUp: async () => {
      await schemas.dropAll();
      await server.stop();
    },
  };
}

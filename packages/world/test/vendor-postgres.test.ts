/** The vendor's World suite on Postgres (SPEC section 9's server), in a schema of its own. */
import { findTestServer, SchemaNames } from "@mooring/testing/postgres";
import { describeVendorSuite } from "./vendor-suite.js";

const { server, reason } = await findTestServer("world vendor-postgres.test.ts");
if (server) {
  const schemas = new SchemaNames(server.url, "world");
  const url = new URL(server.url);
  url.searchParams.set("schema", schemas.name("vendor"));
  await describeVendorSuite("postgres", {
    url: url.toString(),
    cleanUp: async () => {
      await schemas.dropAll();
      await server.stop();
    },
  });
} else {
  await describeVendorSuite("postgres", { skip: reason });
}

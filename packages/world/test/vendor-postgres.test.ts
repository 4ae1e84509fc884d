/** The vendor's World suite on Postgres (SPEC section 9's server), in a schema of its own. */
import { postgresStore } from "./support/stores.js";
import { describeVendorSuite } from "./vendor-suite.js";

await describeVendorSuite("postgres", await postgresStore("world vendor-postgres.test.ts", "world", "vendor"));

/** The vendor's World suite on a standalone Redis (SPEC section 9's server), under a prefix of its own. */
import { redisStore } from "./support/stores.js";
import { describeVendorSuite } from "./vendor-suite.js";

await describeVendorSuite("redis", await redisStore());

/** The vendor's World suite on the memory backend (in the app server's process). */
import { describeVendorSuite } from "./vendor-suite.js";

await describeVendorSuite("memory", { url: "memory:", cleanUp: async () => undefined });

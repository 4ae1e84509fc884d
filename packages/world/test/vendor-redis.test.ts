/** The vendor's World suite on a standalone Redis (SPEC section 9's server), under a prefix of its own. */
import { openNamespaceRemover } from "@mooring/backend-redis";
import { standaloneServer, testPrefix } from "@mooring/testing/redis";
import { describeVendorSuite } from "./vendor-suite.js";

const server = await standaloneServer();
if ("skip" in server) {
  await describeVendorSuite("redis", server);
} else {
  const prefix = testPrefix("world");
  const url = new URL(server.url);
  url.searchParams.set("prefix", prefix);
  await describeVendorSuite("redis", {
    url: url.toString(),
    cleanUp: async () => {
      const remover = openNamespaceRemover(server.url);
      try {
        await remover.removeEveryStartingWith(prefix);
      } finally {
        await remover.close();
        await server.stop();
      }
    },
  });
}

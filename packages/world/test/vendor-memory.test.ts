import { createTestSuite } from "@workflow/world-testing";
process.env.MOORING_WORLD_URL = "memory:";
createTestSuite("./dist/index.js");

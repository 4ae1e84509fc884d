/** The vendor's World suite on SQLite: one database file for the file's tests, removed after. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeVendorSuite } from "./vendor-suite.js";

const dir = mkdtempSync(join(tmpdir(), "mooring-world-"));
await describeVendorSuite("sqlite", { url: `sqlite:${join(dir, "world.db")}`, cleanUp: async () => rmSync(dir, { recursive: true, force: true }) });

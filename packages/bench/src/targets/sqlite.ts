/**
 * The SQLite backend (`@mooring/backend-sqlite`) on a temporary file with its production settings
 * (WAL, `synchronous=NORMAL`) and the system clock. Stands beside `raw-sqlite`, which runs the same
 * essential statements on better-sqlite3 directly.
 */
import { join } from "node:path";
import { mooringSession } from "./mooring.js";
import type { TargetDefinition } from "./target.js";
import { createTempDir } from "./temp-dir.js";

export const sqliteTarget: TargetDefinition = {
  name: "sqlite",
  backend: "sqlite",
  defaultConcurrency: 1,
  goals: { minRatioToBaseline: 0.5, maxDeepQueueLatencyRatio: 2 },
  describe: () => ({ file: "temporary", journal: "wal", synchronous: "normal", clock: "system" }),
  async open() {
    // Imported here so that a run of other backends never loads better-sqlite3.
    const { createSqliteBackend } = await import("@mooring/backend-sqlite");
    const dir = await createTempDir("sqlite");
    try {
      // WAL is the backend's only journal mode for files; synchronous is stated, not left to a default.
      const backend = createSqliteBackend({ path: join(dir.path, "bench.db"), synchronous: "normal" });
      return mooringSession(backend, () => dir.remove());
    } catch (error) {
      await dir.remove();
      throw error;
    }
  },
};

/**
 * A crash-scenario worker process. Started by `scenario.ts` with one argument, a JSON
 * `WorkerProcessConfig`; it opens its own client of the deployment, prints `ready`, runs the
 * worker loop, and journals every call to its file (which survives the SIGKILL the scenario may
 * send at any instant). A line `stop` on stdin makes it finish its task, close and exit 0.
 * A failure prints `error <message>` on stderr and exits 1.
 */
import { createInterface } from "node:readline";
import { FileJournal } from "../journal.js";
import { openTarget, type TargetConfig } from "../targets.js";
import { type TimeBase, timeOn } from "../time-base.js";
import { type CrashWorkerSettings, runCrashWorker } from "./worker-loop.js";

export interface WorkerProcessConfig {
  readonly target: TargetConfig;
  readonly journal: string;
  readonly timeBase: TimeBase;
  readonly settings: CrashWorkerSettings;
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error("usage: worker-main <config JSON>");
  const config = JSON.parse(raw) as WorkerProcessConfig;
  let stopping = false;
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.trim() === "stop") stopping = true;
  });
  const backend = await openTarget(config.target, { poolSize: 2 });
  const journal = new FileJournal(config.journal, timeOn(config.timeBase));
  process.stdout.write("ready\n");
  try {
    await runCrashWorker(backend, journal, config.settings, { crashed: () => false, stopping: () => stopping });
  } finally {
    journal.close();
    await backend.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`error ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

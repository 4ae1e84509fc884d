/** Runs `child.ts` in separate Node processes (see its comment for the jobs). */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));
const REGISTER = fileURLToPath(new URL("./register-ts.mjs", import.meta.url));

export interface ChildResult {
  readonly ok: boolean;
  readonly error?: string;
  readonly completed?: string[];
}

/** Runs one child to its end and returns the JSON line it printed. */
export function runChild(args: readonly string[], timeoutMs = 60_000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=@mooring/source", "--import", REGISTER, CHILD, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").at(-1) ?? "";
      try {
        resolve(JSON.parse(line) as ChildResult);
      } catch {
        reject(new Error(`child ${args[0]} exited with ${String(code)} without a result: ${stderr || stdout}`));
      }
    });
  });
}

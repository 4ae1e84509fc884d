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

export interface Child {
  /** Resolves when the child printed READY. */
  readonly ready: Promise<void>;
  /** Lets a ready child start its job. */
  go(): void;
  /** The JSON line the child printed last. */
  readonly result: Promise<ChildResult>;
}

/** Starts one child process running `child.ts` with `args`. */
export function startChild(args: readonly string[], timeoutMs = 60_000): Child {
  const child = spawn(process.execPath, ["--conditions=@mooring/source", "--import", REGISTER, CHILD, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  let stdout = "";
  let stderr = "";
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    if (stdout.includes("READY\n")) markReady();
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const result = new Promise<ChildResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      markReady();
      const line = stdout.trim().split("\n").at(-1) ?? "";
      try {
        resolve(JSON.parse(line) as ChildResult);
      } catch {
        reject(new Error(`child ${args[0]} exited with ${String(code)} without a result: ${stderr || stdout}`));
      }
    });
  });
  return {
    ready,
    go: () => {
      child.stdin.end("go\n");
    },
    result,
  };
}

/** Starts `children` children, waits until all are ready, then lets them all go at once. */
export async function startTogether(argsOf: (index: number) => readonly string[], children: number): Promise<Child[]> {
  const started = Array.from({ length: children }, (_, index) => startChild(argsOf(index)));
  await Promise.all(started.map((child) => child.ready));
  for (const child of started) child.go();
  return started;
}

/**
 * Loads the package in one child first, so that the loader's cache is warm and children started
 * together do not each load the TypeScript compiler.
 */
export async function warmChildren(): Promise<void> {
  const [child] = await startTogether(() => ["load"], 1);
  if (!child || !(await child.result).ok) throw new Error("a child process could not load the package");
}

/**
 * The workflows the bench runs: two of the vendor's prebuilt app (`@workflow/world-testing`, the
 * app its own suite drives), compiled by the DevKit's own build as that package ships them. The
 * bench compiles no workflow of its own and speaks no runtime protocol: it starts runs through the
 * app's `POST /invoke`, as the vendor's suite does.
 */

/** A workflow of the vendor's app, and what one run of it does. */
export interface BenchWorkflow {
  readonly id: "sequential" | "fan-out";
  /** What a run does, for the report. */
  readonly title: string;
  /** The app's file and export, as its manifest names them. */
  readonly file: string;
  readonly workflow: string;
  readonly args: readonly unknown[];
  /** Steps one run completes; a round whose runs complete fewer is an error. */
  readonly steps: number;
}

export const WORKFLOWS: readonly BenchWorkflow[] = [
  {
    id: "sequential",
    // `for (i < count) await trivialStep({ index: i })`: each step awaits the previous one.
    title: "20 sequential steps",
    file: "workflows/signal-cost.ts",
    workflow: "signalCostWorkflow",
    args: [{ count: 20, withSignal: false }],
    steps: 20,
  },
  {
    id: "fan-out",
    // The suite's idempotency workflow: `Promise.all` of 5 no-op steps, then `Promise.all` of 15.
    title: "20 parallel steps (Promise.all of 5, then of 15)",
    file: "workflows/noop.ts",
    workflow: "brokenWf",
    args: [],
    steps: 20,
  },
];

/**
 * The results of a run: the JSON document saved under `results/`, the medians and spreads over the
 * rounds, the ratios against the peers, and the Markdown tables printed to the terminal and, with
 * `--page`, written into docs/world.md.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname } from "node:path";
import { percentile, ratio } from "@mooring/bench/harness";
import type { RoundResult } from "./round.js";
import type { BenchWorkflow } from "./workflows.js";

/** The machine and the run's settings: figures mean nothing without them. */
export interface Conditions {
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly cores: number;
  readonly cpuModel: string;
  readonly node: string;
  /** 1, 5 and 15-minute load averages; a high value means other work shared the CPUs. */
  readonly loadAverageAtStart: readonly number[];
  readonly loadAverageAtEnd: readonly number[] | null;
  /** Runs started at once in each round. */
  readonly runsPerRound: number;
  readonly rounds: number;
  /** Runs of each workflow per World before the measured rounds, discarded. */
  readonly warmUpRuns: number;
  /** Installed versions of the vendor's packages. */
  readonly versions: Readonly<Record<string, string>>;
}

/** A World of the run: where its data lived, or why it was not measured. */
export interface WorldInfo {
  readonly name: string;
  readonly module: string;
  readonly store: string | null;
  /** Why its store could not be had (a server that did not answer), or null. */
  readonly unavailable: string | null;
  /** The error that ended its measurements (a run that failed or hung, a server that would not start), or null. */
  readonly error: string | null;
}

/** The median of the rounds, with the lowest and highest. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface ResultRow {
  readonly world: string;
  readonly workflow: BenchWorkflow["id"];
  readonly rounds: readonly RoundResult[];
  readonly runsPerSec: Spread | null;
  readonly stepsPerSec: Spread | null;
  readonly stepP50Ms: Spread | null;
  readonly stepP99Ms: Spread | null;
  /** The p50 of run latency (round.ts): how long one of the N runs took from start to end. */
  readonly runP50Ms: Spread | null;
}

/** One of ours against a peer on one workflow, from the medians. */
export interface Comparison {
  readonly world: string;
  readonly workflow: BenchWorkflow["id"];
  readonly against: string;
  /** Ours ÷ the peer's runs/s (steps/s is the same ratio, every run having the same steps): above 1, ours is faster. */
  readonly throughputRatio: number | null;
  /** Ours ÷ the peer's step p50: below 1, ours is faster. */
  readonly stepP50Ratio: number | null;
}

export interface WorldBenchReport {
  readonly schema: 1;
  readonly command: string;
  readonly conditions: Conditions;
  readonly workflows: readonly BenchWorkflow[];
  readonly worlds: readonly WorldInfo[];
  readonly results: readonly ResultRow[];
  readonly comparisons: readonly Comparison[];
}

/** The peers every World of ours is compared with. */
export const PEERS = ["world-postgres", "world-local"] as const;

const round2 = (value: number): number => Math.round(value * 100) / 100;

export function captureConditions(settings: Pick<Conditions, "runsPerRound" | "rounds" | "warmUpRuns" | "versions">): Conditions {
  return {
    startedAt: new Date().toISOString(),
    finishedAt: null,
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    node: process.version,
    loadAverageAtStart: loadavg().map(round2),
    loadAverageAtEnd: null,
    ...settings,
  };
}

export function finishConditions(conditions: Conditions): Conditions {
  return { ...conditions, finishedAt: new Date().toISOString(), loadAverageAtEnd: loadavg().map(round2) };
}

/** The median (nearest rank: a value some round had), lowest and highest of `values`; null for none. */
export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return { median: percentile(sorted, 50), min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

export function resultRow(world: string, workflow: BenchWorkflow["id"], rounds: readonly RoundResult[]): ResultRow {
  return {
    world,
    workflow,
    rounds,
    runsPerSec: spread(rounds.map((r) => r.runsPerSec)),
    stepsPerSec: spread(rounds.map((r) => r.stepsPerSec)),
    stepP50Ms: spread(rounds.map((r) => r.stepLatency.p50)),
    stepP99Ms: spread(rounds.map((r) => r.stepLatency.p99)),
    runP50Ms: spread(rounds.map((r) => r.runLatency.p50)),
  };
}

/** Each World of ours against each peer measured in the same run, per workflow. */
export function compare(results: readonly ResultRow[]): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const row of results) {
    if ((PEERS as readonly string[]).includes(row.world)) continue;
    for (const against of PEERS) {
      const peer = results.find((r) => r.world === against && r.workflow === row.workflow);
      if (!peer?.runsPerSec) continue;
      comparisons.push({
        world: row.world,
        workflow: row.workflow,
        against,
        throughputRatio: ratio(row.runsPerSec?.median, peer.runsPerSec.median),
        stepP50Ratio: ratio(row.stepP50Ms?.median, peer.stepP50Ms?.median),
      });
    }
  }
  return comparisons;
}

const decimals = (value: number): string => value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2);
const cell = (value: Spread | null): string => (value === null ? "—" : `${decimals(value.median)} (${decimals(value.min)}–${decimals(value.max)})`);
const times = (value: number | null): string => (value === null ? "—" : `${value.toFixed(2)}×`);

/** One row per World and workflow: median (min–max) over the rounds; a World not measured says why. */
export function renderResults(report: Pick<WorldBenchReport, "workflows" | "worlds" | "results">): string {
  const lines = [
    "| World | workflow | runs/s | steps/s | step p50 (ms) | step p99 (ms) | run p50 (ms) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const world of report.worlds) {
    const label = world.module === "@mooring/world" ? `@mooring/world, ${world.name}` : `@workflow/${world.name}`;
    const missing = world.unavailable === null ? null : `unavailable: ${world.unavailable}`;
    for (const workflow of report.workflows) {
      const row = report.results.find((r) => r.world === world.name && r.workflow === workflow.id);
      if (missing !== null || !row?.runsPerSec) {
        // The first line only: the JSON and the run's log keep the whole error and the app's output.
        const why = missing ?? (world.error === null ? "not measured" : `error: ${world.error.split("\n")[0]}`);
        lines.push(`| ${label} | ${workflow.id} | ${why} | — | — | — | — |`);
        continue;
      }
      lines.push(`| ${label} | ${workflow.id} | ${cell(row.runsPerSec)} | ${cell(row.stepsPerSec)} | ${cell(row.stepP50Ms)} | ${cell(row.stepP99Ms)} | ${cell(row.runP50Ms)} |`);
    }
  }
  return lines.join("\n");
}

/** Ours against each peer, from the medians. */
export function renderComparisons(comparisons: readonly Comparison[]): string {
  const lines = [
    "| @mooring/world on | workflow | runs/s ÷ world-postgres | runs/s ÷ world-local | step p50 ÷ world-postgres | step p50 ÷ world-local |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
  ];
  const keys = [...new Map(comparisons.map((c) => [`${c.world} ${c.workflow}`, c])).values()];
  for (const { world, workflow } of keys) {
    const against = (peer: string) => comparisons.find((c) => c.world === world && c.workflow === workflow && c.against === peer);
    const [postgres, local] = [against("world-postgres"), against("world-local")];
    lines.push(
      `| ${world} | ${workflow} | ${times(postgres?.throughputRatio ?? null)} | ${times(local?.throughputRatio ?? null)} | ${times(postgres?.stepP50Ratio ?? null)} | ${times(local?.stepP50Ratio ?? null)} |`,
    );
  }
  return lines.join("\n");
}

export function renderConditions(report: Pick<WorldBenchReport, "command" | "conditions">): string {
  const c = report.conditions;
  const load = (values: readonly number[] | null) => (values === null ? "unrecorded" : values.map((v) => v.toFixed(2)).join(" / "));
  return [
    `Measured ${c.startedAt} with \`${report.command}\`: ${c.runsPerRound} runs started at once per round, ${c.rounds} rounds`,
    `after a warm-up of ${c.warmUpRuns} runs of each workflow per World, on ${c.cores} cores (${c.cpuModel}), Node ${c.node};`,
    `load average (1 / 5 / 15 min) ${load(c.loadAverageAtStart)} at the start and ${load(c.loadAverageAtEnd)} at the end; servers on loopback.`,
    `Vendor packages: ${Object.entries(c.versions).map(([name, version]) => `${name} ${version}`).join(", ")}.`,
  ].join(" ");
}

export async function saveReport(report: WorldBenchReport, paths: readonly string[]): Promise<void> {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  for (const path of paths) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  }
}

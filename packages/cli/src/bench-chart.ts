/**
 * An SVG bar chart of a `@mooring/bench` report: one group per workload that has a rate, one
 * horizontal bar per target (items per second, higher is better, scaled within the workload),
 * the machine's conditions in the caption. Hand-written SVG: it is a file format, not a rendering job.
 */

/** The part of the bench's JSON report (schema 1) the chart reads. */
export interface BenchReportView {
  readonly schema: 1;
  readonly conditions: {
    readonly startedAt: string;
    readonly cores: number;
    readonly cpuModel: string;
    readonly node: string;
    readonly profile: string;
  };
  readonly results: readonly {
    readonly workload: string;
    readonly title: string;
    readonly unit: string;
    readonly target: string;
    readonly measurement: { readonly itemsPerSec: number | null } | null;
    readonly error: string | null;
  }[];
}

/** Whether `value` has the shape the chart reads (the bench's report, schema 1). */
export function isBenchReport(value: unknown): value is BenchReportView {
  if (typeof value !== "object" || value === null) return false;
  const report = value as Partial<Record<keyof BenchReportView, unknown>>;
  if (report.schema !== 1 || typeof report.conditions !== "object" || report.conditions === null || !Array.isArray(report.results)) return false;
  return report.results.every((row: unknown) => {
    if (typeof row !== "object" || row === null) return false;
    const fields = row as Record<string, unknown>;
    return typeof fields.workload === "string" && typeof fields.title === "string" && typeof fields.target === "string" && typeof fields.unit === "string";
  });
}

const WIDTH = 960;
const LABEL_WIDTH = 150;
const VALUE_WIDTH = 110;
const BAR_HEIGHT = 16;
const BAR_GAP = 4;
const GROUP_GAP = 18;
const TITLE_HEIGHT = 22;
const HEADER_HEIGHT = 64;
/** One colour per target, in order of first appearance (Okabe-Ito, readable by colour-blind eyes). */
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

/** The chart as an SVG document. Workloads without a rate (latency-only) are left out. */
export function renderBenchChart(report: BenchReportView): string {
  const groups = new Map<string, { title: string; unit: string; bars: { target: string; rate: number | null; note: string | null }[] }>();
  const targets: string[] = [];
  for (const row of report.results) {
    const rate = row.measurement?.itemsPerSec ?? null;
    if (rate === null && row.error === null) continue;
    let group = groups.get(row.workload);
    if (!group) groups.set(row.workload, (group = { title: row.title, unit: row.unit, bars: [] }));
    group.bars.push({ target: row.target, rate, note: row.error === null ? null : "error" });
    if (!targets.includes(row.target)) targets.push(row.target);
  }
  const barSpace = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20;
  const color = (target: string): string => PALETTE[targets.indexOf(target) % PALETTE.length] ?? "#000000";

  const parts: string[] = [];
  let y = HEADER_HEIGHT;
  for (const group of groups.values()) {
    parts.push(`<text x="10" y="${y + 14}" class="group">${xml(group.title)} (${xml(group.unit)}/s)</text>`);
    y += TITLE_HEIGHT;
    // Each workload has its own scale: rates of different workloads (and units) are not compared.
    const max = Math.max(1, ...group.bars.map((bar) => bar.rate ?? 0));
    for (const bar of group.bars) {
      const length = bar.rate === null ? 0 : Math.max(1, Math.round((bar.rate / max) * barSpace));
      parts.push(`<text x="${LABEL_WIDTH - 8}" y="${y + BAR_HEIGHT - 4}" class="label">${xml(bar.target)}</text>`);
      parts.push(`<rect x="${LABEL_WIDTH}" y="${y}" width="${length}" height="${BAR_HEIGHT}" fill="${color(bar.target)}"><title>${xml(`${bar.target}: ${formatRate(bar.rate)} ${group.unit}/s`)}</title></rect>`);
      parts.push(`<text x="${LABEL_WIDTH + length + 6}" y="${y + BAR_HEIGHT - 4}" class="value">${xml(bar.note ?? formatRate(bar.rate))}</text>`);
      y += BAR_HEIGHT + BAR_GAP;
    }
    y += GROUP_GAP;
  }
  const { conditions } = report;
  const caption = `${conditions.profile} run, ${conditions.startedAt}, ${conditions.cores} cores (${conditions.cpuModel}), Node ${conditions.node}`;
  const height = y + 10;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<style>.title{font-size:16px;font-weight:600}.caption{fill:#555}.group{font-weight:600}.label{text-anchor:end}.value{fill:#333}</style>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="24" class="title">Mooring bench: throughput per backend and workload (higher is better)</text>`,
    `<text x="10" y="44" class="caption">${xml(caption)}</text>`,
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}

function formatRate(rate: number | null): string {
  if (rate === null) return "n/a";
  return Math.round(rate).toLocaleString("en-US");
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

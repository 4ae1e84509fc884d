/**
 * The conformance matrix: SPEC rules (grouped by area) and capabilities down, backends across,
 * one cell per (row, backend), built from the runner's reports (SPEC K4). Rendered for the
 * terminal (cli-table3), as Markdown (`matrix.md`) and as JSON (`matrix.json`).
 *
 * Cells: pass, FAIL, TIMEOUT (a hang detector tripped: nothing was judged), partial (some checks passed, others were skipped; checks of undeclared capabilities do not make a rule partial), skipped,
 * not declared, not run (not selected by --only), no check (the kit has no check for the rule);
 * every skip and not-declared reason is a numbered note, one number per distinct reason.
 */
import Table from "cli-table3";
import { CAPABILITY_NAMES, type CapabilityName } from "@mooring/core";
import { AREAS, type Area, type CapabilityStatus, type CheckResult, type ConformanceReport, type ConformanceTotals, NOT_PASSED_SECTIONS, RULES, type RuleStatus } from "@mooring/conformance/runner";
import { type Colors, firstLine } from "./io.js";

export interface MatrixBackend {
  readonly label: string;
  /** The URL without its password. */
  readonly url: string;
  /** The `name` the backend reports ("sqlite"), null when it could not be asked. */
  readonly backendName: string | null;
  readonly durationMs: number;
  readonly totals: ConformanceTotals;
}

export interface RuleCell {
  readonly status: RuleStatus;
  readonly passed: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly skipped: number;
  readonly notDeclared: number;
  /** Numbers of the notes that explain a skip or a missing capability. */
  readonly notes: readonly number[];
}

export interface RuleRow {
  readonly rule: string;
  readonly area: Area;
  readonly title: string;
  /** By backend label. */
  readonly cells: Readonly<Record<string, RuleCell>>;
}

export interface CapabilityCell {
  readonly status: CapabilityStatus;
  readonly declared: boolean | null;
  readonly passed: number;
  readonly failed: number;
}

export interface CapabilityRow {
  readonly capability: CapabilityName;
  readonly cells: Readonly<Record<string, CapabilityCell>>;
}

export interface MatrixFailure {
  /** `timed-out`: a hang detector tripped; the rule was not judged. */
  readonly status: "failed" | "timed-out";
  readonly backend: string;
  readonly checkId: string;
  readonly rule: string;
  readonly title: string;
  readonly message: string;
  readonly code?: string;
  readonly seed?: number;
  /** The command that runs this check alone again (with its seed, for a property). */
  readonly replay: string;
}

export interface Matrix {
  /** ISO 8601. */
  readonly generatedAt: string;
  /** The command line that produced it. */
  readonly command: string;
  readonly backends: readonly MatrixBackend[];
  readonly rules: readonly RuleRow[];
  readonly capabilities: readonly CapabilityRow[];
  readonly notes: readonly { readonly id: number; readonly text: string }[];
  /** Failed and timed-out checks. */
  readonly failures: readonly MatrixFailure[];
}

export interface MatrixRun {
  readonly label: string;
  readonly url: string;
  readonly report: ConformanceReport;
}

/** Builds the matrix; `replay` gives the command that reruns one failed or timed-out check. */
export function buildMatrix(runs: readonly MatrixRun[], command: string, replay: (run: MatrixRun, result: CheckResult) => string): Matrix {
  const notes = new Map<string, number>();
  const noteOf = (text: string): number => {
    let id = notes.get(text);
    if (id === undefined) notes.set(text, (id = notes.size + 1));
    return id;
  };

  const rules = RULES.map((info): RuleRow => {
    const cells: Record<string, RuleCell> = {};
    for (const run of runs) {
      const summary = run.report.rules.find((rule) => rule.rule === info.id);
      const reasons = run.report.results
        .filter((result) => result.rule === info.id && (result.status === "skipped" || result.status === "not-declared"))
        .map((result) => `${result.status === "skipped" ? "skipped" : "not declared"}: ${result.reason ?? "no reason given"}`);
      cells[run.label] = {
        status: summary?.status ?? "not-run",
        passed: summary?.passed ?? 0,
        failed: summary?.failed ?? 0,
        timedOut: summary?.timedOut ?? 0,
        skipped: summary?.skipped ?? 0,
        notDeclared: summary?.notDeclared ?? 0,
        notes: [...new Set(reasons)].map(noteOf),
      };
    }
    return { rule: info.id, area: info.area, title: info.title, cells };
  });

  const capabilities = CAPABILITY_NAMES.map((capability): CapabilityRow => {
    const cells: Record<string, CapabilityCell> = {};
    for (const run of runs) {
      const summary = run.report.capabilities.find((entry) => entry.capability === capability);
      cells[run.label] = {
        status: summary?.status ?? "untested",
        declared: summary?.declared ?? null,
        passed: summary?.passed ?? 0,
        failed: summary?.failed ?? 0,
      };
    }
    return { capability, cells };
  });

  const failures = runs.flatMap((run) =>
    run.report.results
      .filter((result): result is CheckResult & { status: MatrixFailure["status"] } => result.status === "failed" || result.status === "timed-out")
      .map(
        (result): MatrixFailure => ({
          status: result.status,
          backend: run.label,
          checkId: result.checkId,
          rule: result.rule,
          title: result.title,
          message: result.error?.message ?? "failed",
          ...(result.error?.code === undefined ? {} : { code: result.error.code }),
          ...(result.seed === undefined ? {} : { seed: result.seed }),
          replay: replay(run, result),
        }),
      ),
  );

  return {
    generatedAt: new Date().toISOString(),
    command,
    backends: runs.map((run) => ({
      label: run.label,
      url: run.url,
      backendName: run.report.backendName,
      durationMs: run.report.durationMs,
      totals: run.report.totals,
    })),
    rules,
    capabilities,
    notes: [...notes].map(([text, id]) => ({ id, text })),
    failures,
  };
}

/** True when any check failed or timed out on any backend. */
export function hasFailures(matrix: Matrix): boolean {
  return matrix.backends.some((backend) => backend.totals.failed + backend.totals.timedOut > 0);
}

const RULE_LABELS: Readonly<Record<RuleStatus, string>> = {
  passed: "pass",
  failed: "FAIL",
  "timed-out": "TIMEOUT",
  partial: "partial",
  skipped: "skipped",
  "not-declared": "not declared",
  "not-run": "not run",
  "no-check": "no check",
};

const CAPABILITY_LABELS: Readonly<Record<CapabilityStatus, string>> = {
  passed: "pass",
  failed: "FAIL",
  untested: "untested",
  "not-declared": "not declared",
};

/** Rows every backend left unrun (not selected by --only) are left out of the rendered tables. */
function shownRules(matrix: Matrix): RuleRow[] {
  return matrix.rules.filter((row) => Object.values(row.cells).some((cell) => cell.status !== "not-run"));
}

function ruleText(cell: RuleCell): string {
  return cell.notes.length > 0 ? `${RULE_LABELS[cell.status]} [${cell.notes.join(",")}]` : RULE_LABELS[cell.status];
}

function totalsText(totals: ConformanceTotals): string {
  const broken = [
    ...(totals.failed > 0 ? [`${totals.failed} FAILED`] : []),
    ...(totals.timedOut > 0 ? [`${totals.timedOut} TIMED OUT`] : []),
  ];
  if (broken.length > 0) return `${broken.join(", ")} of ${totals.checks}`;
  const other = totals.skipped + totals.notDeclared;
  return other > 0 ? `${totals.passed} passed, ${other} not run` : `${totals.passed} passed`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function colorRule(colors: Colors, status: RuleStatus | CapabilityStatus, text: string): string {
  switch (status) {
    case "passed":
      return colors.green(text);
    case "failed":
      return colors.bold(colors.red(text));
    case "timed-out":
      return colors.bold(colors.yellow(text));
    case "partial":
    case "skipped":
      return colors.yellow(text);
    case "not-declared":
    case "not-run":
    case "untested":
      return colors.dim(text);
    case "no-check":
      return colors.magenta(text);
  }
}

/** The matrix as a terminal table `width` columns wide, then the notes and the failures. */
export function renderMatrixTable(matrix: Matrix, colors: Colors, width: number): string {
  const labels = matrix.backends.map((backend) => backend.label);
  const rules = shownRules(matrix);
  const cellTexts = [
    ...rules.flatMap((row) => Object.values(row.cells).map(ruleText)),
    ...Object.values(CAPABILITY_LABELS),
    ...matrix.backends.map((backend) => totalsText(backend.totals)),
  ];
  const backendWidth = Math.max(...labels.map((label) => label.length), ...cellTexts.map((text) => text.length)) + 2;
  const ruleWidth = Math.max("rule".length + 2, ...rules.map((row) => row.rule.length + 2));
  const borders = labels.length + 3;
  const longestTitle = Math.max(0, ...rules.map((row) => row.title.length), ...matrix.capabilities.map((row) => row.capability.length - ruleWidth));
  const titleWidth = Math.max(20, Math.min(longestTitle + 2, width - borders - ruleWidth - backendWidth * labels.length));
  const table = new Table({
    head: ["rule", "", ...labels].map((text) => colors.bold(text)),
    colWidths: [ruleWidth, titleWidth, ...labels.map(() => backendWidth)],
    wordWrap: false,
    truncate: "…",
    style: { head: [], border: [], "padding-left": 1, "padding-right": 1, compact: true },
  });
  const span = 2 + labels.length;
  for (const area of AREAS) {
    const inArea = rules.filter((row) => row.area === area);
    if (inArea.length === 0) continue;
    table.push([{ colSpan: span, content: colors.bold(colors.cyan(area)) }]);
    for (const row of inArea) {
      table.push([row.rule, row.title, ...labels.map((label) => colorCell(colors, row.cells[label]))]);
    }
  }
  table.push([{ colSpan: span, content: colors.bold(colors.cyan("capabilities")) }]);
  for (const row of matrix.capabilities) {
    table.push([
      { colSpan: 2, content: row.capability },
      ...labels.map((label) => {
        const cell = row.cells[label];
        return cell ? colorRule(colors, cell.status, CAPABILITY_LABELS[cell.status]) : "";
      }),
    ]);
  }
  table.push([{ colSpan: 2, content: colors.bold("checks") }, ...matrix.backends.map((backend) => colorTotals(colors, backend.totals))]);
  table.push([{ colSpan: 2, content: colors.bold("duration") }, ...matrix.backends.map((backend) => seconds(backend.durationMs))]);

  const lines = [table.toString()];
  const hidden = matrix.rules.length - rules.length;
  if (hidden > 0) lines.push(colors.dim(`${hidden} rules not selected by --only are not shown.`));
  if (matrix.notes.length > 0) {
    lines.push("", "Notes:");
    for (const note of matrix.notes) lines.push(`  [${note.id}] ${note.text}`);
  }
  for (const { status, title } of NOT_PASSED_SECTIONS) {
    const listed = matrix.failures.filter((failure) => failure.status === status);
    if (listed.length === 0) continue;
    const color = status === "failed" ? colors.red : colors.yellow;
    lines.push("", colors.bold(color(`${title} (${listed.length}):`)));
    for (const failure of listed) {
      lines.push(`  ${colors.bold(failure.backend)} ${failure.checkId} (SPEC ${failure.rule}): ${firstLine(failure.message)}`);
      lines.push(colors.dim(`    rerun: ${failure.replay}`));
    }
  }
  return `${lines.join("\n")}\n`;
}

function colorCell(colors: Colors, cell: RuleCell | undefined): string {
  return cell ? colorRule(colors, cell.status, ruleText(cell)) : "";
}

function colorTotals(colors: Colors, totals: ConformanceTotals): string {
  const text = totalsText(totals);
  if (totals.failed > 0) return colors.bold(colors.red(text));
  return totals.timedOut > 0 ? colors.bold(colors.yellow(text)) : colors.green(text);
}

/** The matrix as Markdown: the backends, one table of every rule and capability, notes, failures. */
export function renderMatrixMarkdown(matrix: Matrix): string {
  const labels = matrix.backends.map((backend) => backend.label);
  const rules = shownRules(matrix);
  const lines = [
    "# Mooring conformance matrix",
    "",
    `Generated ${matrix.generatedAt} by \`${escapeCell(matrix.command)}\`.`,
    "",
    "| Backend | URL | Checks | Passed | Failed | Timed out | Skipped | Not declared | Duration |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...matrix.backends.map(
      (backend) =>
        `| ${escapeCell(backend.label)} | \`${escapeCell(backend.url)}\` | ${backend.totals.checks} | ${backend.totals.passed} | ${backend.totals.failed} | ${backend.totals.timedOut} | ${backend.totals.skipped} | ${backend.totals.notDeclared} | ${seconds(backend.durationMs)} |`,
    ),
    "",
    `| Rule | Title | ${labels.map(escapeCell).join(" | ")} |`,
    `| --- | --- | ${labels.map(() => "---").join(" | ")} |`,
  ];
  for (const area of AREAS) {
    const inArea = rules.filter((row) => row.area === area);
    if (inArea.length === 0) continue;
    lines.push(`| **${area}** | | ${labels.map(() => "").join(" | ")} |`);
    for (const row of inArea) {
      lines.push(`| ${row.rule} | ${escapeCell(row.title)} | ${labels.map((label) => markdownRuleCell(row.cells[label])).join(" | ")} |`);
    }
  }
  lines.push(`| **capabilities** | | ${labels.map(() => "").join(" | ")} |`);
  for (const row of matrix.capabilities) {
    lines.push(`| ${row.capability} | | ${labels.map((label) => markdownCapabilityCell(row.cells[label])).join(" | ")} |`);
  }
  lines.push(`| **checks** | | ${matrix.backends.map((backend) => totalsText(backend.totals)).join(" | ")} |`);
  lines.push(`| **duration** | | ${matrix.backends.map((backend) => seconds(backend.durationMs)).join(" | ")} |`);
  const hidden = matrix.rules.length - rules.length;
  if (hidden > 0) lines.push("", `${hidden} rules not selected by \`--only\` are not shown.`);
  if (matrix.notes.length > 0) {
    lines.push("", "## Notes", "");
    for (const note of matrix.notes) lines.push(`${note.id}. ${escapeCell(note.text)}`);
  }
  for (const { status, title } of NOT_PASSED_SECTIONS) {
    const listed = matrix.failures.filter((failure) => failure.status === status);
    if (listed.length === 0) continue;
    lines.push("", `## ${title}`, "");
    for (const failure of listed) {
      lines.push(`- **${escapeCell(failure.backend)}** \`${failure.checkId}\` (SPEC ${failure.rule}): ${escapeCell(firstLine(failure.message))}`);
      lines.push(`  rerun: \`${failure.replay}\``);
    }
  }
  return `${lines.join("\n")}\n`;
}

function markdownRuleCell(cell: RuleCell | undefined): string {
  if (!cell) return "";
  const label = cell.status === "failed" || cell.status === "timed-out" ? `**${RULE_LABELS[cell.status]}**` : RULE_LABELS[cell.status];
  return cell.notes.length > 0 ? `${label} [${cell.notes.join(",")}]` : label;
}

function markdownCapabilityCell(cell: CapabilityCell | undefined): string {
  if (!cell) return "";
  return cell.status === "failed" ? "**FAIL**" : CAPABILITY_LABELS[cell.status];
}

/** The matrix as indented JSON (the `Matrix` shape). */
export function renderMatrixJson(matrix: Matrix): string {
  return `${JSON.stringify(matrix, null, 2)}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

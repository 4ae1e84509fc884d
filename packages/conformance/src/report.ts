/**
 * Renders a ConformanceReport (SPEC K4): JSON for programs, Markdown for people (rules grouped by
 * area, then the capabilities), JUnit XML for CI (one testsuite per backend, one testcase per
 * check) and a plain-text summary for the console.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CheckResult, ConformanceReport, ConformanceTotals, RuleStatus } from "./runner.js";
import { AREAS, type Area } from "./rules.js";

export type ReportFormat = "json" | "markdown" | "junit";

export const REPORT_FORMATS: readonly ReportFormat[] = ["json", "markdown", "junit"];

const EXTENSIONS: Readonly<Record<ReportFormat, string>> = { json: "json", markdown: "md", junit: "xml" };

const RULE_STATUS_LABELS: Readonly<Record<RuleStatus, string>> = {
  passed: "passed",
  failed: "FAILED",
  "timed-out": "TIMED OUT",
  partial: "partial",
  skipped: "skipped",
  "not-declared": "not declared",
  "not-run": "not run",
  "no-check": "no check",
};

/** How reports list the checks that did not pass: failures, then timeouts, each under its title. */
export const NOT_PASSED_SECTIONS = [
  { status: "failed", title: "Failures" },
  { status: "timed-out", title: "Timeouts (a hang detector tripped: no rule was judged)" },
] as const;

const AREA_TITLES: Readonly<Record<Area, string>> = {
  validation: "Rules common to every call",
  workflows: "Workflows",
  sequencing: "Event sequencing",
  snapshots: "Snapshots and commit",
  state: "State store",
  leases: "Leases",
  reclaim: "Reclaim and dead letters",
  scheduling: "Scheduling",
  signals: "Signals",
  notifications: "Progress and notifications",
  isolation: "Tenant isolation",
  access: "Tenants and tokens",
};

/** The report as indented JSON (the `ConformanceReport` shape, stable for programs). */
export function renderJson(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The report as Markdown: totals, one table of rules per area, failures, skips, capabilities. */
export function renderMarkdown(report: ConformanceReport): string {
  const { totals } = report;
  const lines: string[] = [
    `# Mooring conformance: ${escapeMarkdown(report.backend)}`,
    "",
    `Backend \`${report.backendName ?? "unknown"}\`, started ${report.startedAt}, ${formatSeconds(report.durationMs)}.`,
    "",
    `**${totals.checks} checks: ${countsText(totals)}.**`,
    "",
    `Rules: ${Object.entries(totals.rules)
      .filter(([, count]) => count > 0)
      .map(([status, count]) => `${count} ${RULE_STATUS_LABELS[status as RuleStatus]}`)
      .join(", ")}.`,
  ];

  for (const area of AREAS) {
    const rules = report.rules.filter((rule) => rule.area === area);
    if (rules.length === 0) continue;
    lines.push(
      "",
      `## ${AREA_TITLES[area]}`,
      "",
      "| Rule | Status | Passed | Failed | Timed out | Skipped | Not declared | Title |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    );
    for (const rule of rules) {
      lines.push(
        `| ${rule.rule} | ${RULE_STATUS_LABELS[rule.status]} | ${rule.passed} | ${rule.failed} | ${rule.timedOut} | ${rule.skipped} | ${rule.notDeclared} | ${escapeMarkdown(rule.title)} |`,
      );
    }
  }

  for (const { status, title } of NOT_PASSED_SECTIONS) {
    const listed = report.results.filter((result) => result.status === status);
    if (listed.length === 0) continue;
    lines.push("", `## ${title}`);
    for (const result of listed) {
      lines.push("", `### \`${result.checkId}\` (SPEC ${result.rule}): ${escapeMarkdown(result.title)}`, "");
      if (result.error?.code) lines.push(`Code: \`${result.error.code}\``, "");
      lines.push(fence(result.error?.message ?? "(no message)"));
      if (result.replay) lines.push("", "Replay:", "", fence(result.replay));
    }
  }

  const notRun = report.results.filter((result) => result.status === "skipped" || result.status === "not-declared");
  if (notRun.length > 0) {
    lines.push("", "## Skipped and not declared", "", "| Check | Status | Reason |", "| --- | --- | --- |");
    for (const result of notRun) {
      lines.push(`| \`${result.checkId}\` | ${result.status === "skipped" ? "skipped" : "not declared"} | ${escapeMarkdown(result.reason ?? "")} |`);
    }
  }

  lines.push("", "## Capabilities", "", "| Capability | Declared | Status | Passed | Failed |", "| --- | --- | --- | ---: | ---: |");
  for (const capability of report.capabilities) {
    const declared = capability.declared === null ? "unknown" : capability.declared ? "yes" : "no";
    lines.push(`| ${capability.capability} | ${declared} | ${capability.status} | ${capability.passed} | ${capability.failed} |`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The report as JUnit XML: one `<testsuite>` for the backend, one `<testcase>` per check whose
 * name starts with the check id (so a CI failure names the rule), `<failure>` with the message,
 * `<skipped>` with the reason for skipped and not-declared checks.
 */
export function renderJunit(report: ConformanceReport): string {
  const { totals } = report;
  const skipped = totals.skipped + totals.notDeclared;
  const time = seconds(report.durationMs);
  const suite = report.backend;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="mooring-conformance" tests="${totals.checks}" failures="${totals.failed}" errors="${totals.timedOut}" skipped="${skipped}" time="${time}">`,
    `  <testsuite name="${xml(suite)}" tests="${totals.checks}" failures="${totals.failed}" errors="${totals.timedOut}" skipped="${skipped}" time="${time}" timestamp="${xml(report.startedAt)}">`,
    `    <properties>`,
    `      <property name="backendName" value="${xml(report.backendName ?? "unknown")}"/>`,
    `    </properties>`,
  ];
  for (const result of report.results) lines.push(...junitCase(suite, result));
  lines.push(`  </testsuite>`, `</testsuites>`);
  return `${lines.join("\n")}\n`;
}

function junitCase(suite: string, result: CheckResult): string[] {
  const open = `    <testcase name="${xml(`${result.checkId} ${result.title}`)}" classname="${xml(`mooring.${suite}.${result.rule}`)}" time="${seconds(result.durationMs)}"`;
  switch (result.status) {
    case "passed":
      return [`${open}/>`];
    case "failed":
    case "timed-out": {
      // JUnit's <error> is "the test could not run to a verdict": what a hang detector reports.
      const [element, type] = result.status === "failed" ? ["failure", result.error?.code ?? "AssertionError"] : ["error", "CheckTimeout"];
      const message = result.error?.message ?? result.status;
      const body = [message, result.replay ? `replay: ${result.replay}` : "", result.error?.stack ?? ""].filter((part) => part !== "").join("\n\n");
      return [`${open}>`, `      <${element} message="${xml(firstLine(message))}" type="${xml(type)}">${xml(body)}</${element}>`, `    </testcase>`];
    }
    case "skipped":
    case "not-declared": {
      const reason = `${result.status === "skipped" ? "skipped" : "not declared"}: ${result.reason ?? ""}`;
      return [`${open}>`, `      <skipped message="${xml(reason)}"/>`, `    </testcase>`];
    }
  }
}

/** A fixed-width summary table for the console: totals, one line per rule, then each failure. */
export function renderSummary(report: ConformanceReport): string {
  const { totals } = report;
  const header = `Mooring conformance: ${report.backend}: ${totals.checks} checks, ${countsText(totals)} (${formatSeconds(report.durationMs)})`;
  const rows = [["rule", "status", "pass", "fail", "t/o", "skip", "n/d", "title"]];
  for (const rule of report.rules) {
    rows.push([rule.rule, RULE_STATUS_LABELS[rule.status], `${rule.passed}`, `${rule.failed}`, `${rule.timedOut}`, `${rule.skipped}`, `${rule.notDeclared}`, rule.title]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  const numeric = new Set([2, 3, 4, 5, 6]);
  const table = rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  "),
  );
  const lines = [header, "", ...table];
  for (const { status, title } of NOT_PASSED_SECTIONS) {
    const listed = report.results.filter((result) => result.status === status);
    if (listed.length === 0) continue;
    lines.push("", `${title}:`);
    for (const result of listed) {
      lines.push(`  ${result.checkId} (SPEC ${result.rule}): ${firstLine(result.error?.message ?? status)}`);
      if (result.replay) lines.push(`    replay: ${result.replay}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Renders `report` in one format. */
export function renderReport(report: ConformanceReport, format: ReportFormat): string {
  switch (format) {
    case "json":
      return renderJson(report);
    case "markdown":
      return renderMarkdown(report);
    case "junit":
      return renderJunit(report);
  }
}

/**
 * Writes the report in each format to `dir` (created if missing) as
 * `conformance-<backend>.json|md|xml`, and returns the paths written.
 */
export async function writeReports(report: ConformanceReport, dir: string, formats: readonly ReportFormat[] = REPORT_FORMATS): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const base = `conformance-${fileSafe(report.backend)}`;
  const paths: string[] = [];
  for (const format of formats) {
    const path = join(dir, `${base}.${EXTENSIONS[format]}`);
    await writeFile(path, renderReport(report, format), "utf8");
    paths.push(path);
  }
  return paths;
}

function countsText(totals: ConformanceTotals): string {
  return `${totals.passed} passed, ${totals.failed} failed, ${totals.timedOut} timed out, ${totals.skipped} skipped, ${totals.notDeclared} not declared`;
}

function fileSafe(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|-+$/g, "");
  return safe === "" ? "backend" : safe;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function escapeMarkdown(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const marks = "`".repeat(longest + 1);
  return `${marks}text\n${text}\n${marks}`;
}

/**
 * Escapes text for XML 1.0 attributes and text, dropping the characters XML 1.0 cannot carry at
 * all (most C0 controls, lone surrogates, U+FFFE/U+FFFF), which an error message may hold.
 */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

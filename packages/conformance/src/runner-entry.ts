/**
 * Everything public in the kit except the vitest binding (`@mooring/conformance/runner`), so that
 * the `mooring` command and other programs run the kit without vitest installed (SPEC K1).
 */
export { ALL_CHECKS } from "./checks/index.js";
export * from "./model/index.js";
export {
  type BackendClockCheck,
  type BackendClockContext,
  type Check,
  type CheckContext,
  type CheckKind,
  defineCheck,
  type KitClockCheck,
  type PropertySettings,
} from "./registry.js";
export { CHECK_IDLE_MS, CheckTimeout, HANG_MS } from "./hang.js";
export { AREAS, type Area, RULES, type RuleId, type RuleInfo, ruleInfo } from "./rules.js";
export {
  type CapabilitySummary,
  type CapabilityStatus,
  type CheckError,
  type CheckPlan,
  type CheckResult,
  type CheckStatus,
  type ConformanceOptions,
  type ConformanceReport,
  ConformanceSession,
  type ConformanceTotals,
  type CreateContext,
  missingCapabilities,
  newNamespace,
  runConformance,
  type RuleStatus,
  type RuleSummary,
} from "./runner.js";
export {
  NOT_PASSED_SECTIONS,
  REPORT_FORMATS,
  type ReportFormat,
  renderJson,
  renderJunit,
  renderMarkdown,
  renderReport,
  renderSummary,
  writeReports,
} from "./report.js";
export {
  assertProperty,
  DEFAULT_NUM_RUNS,
  FC_ENV,
  PropertyFailure,
  type PropertyOptions,
  type PropertySettingsInput,
  randomSeed,
  replayCommand,
  resolvePropertySettings,
} from "./fast-check.js";

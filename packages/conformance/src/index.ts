/**
 * The Mooring conformance kit: checks keyed by SPEC rule, the runner, reports, and the vitest
 * binding `describeConformance` (SPEC K1). Programs that must not load vitest import
 * `@mooring/conformance/runner` instead.
 */
export * from "./runner-entry.js";
export { describeConformance, type DescribeConformanceOptions } from "./vitest.js";

/**
 * Jepsen-style histories for Mooring backends: record the operations of concurrent processes
 * (`HistoryRecorder`, `RecordingClient`) and check the history against E4, E5, E7, E11, W7 and W8
 * (`checkHistory`, `assertHistory`). Usable from a plain Node script (no vitest).
 */
export {
  type CheckHistoryOptions,
  assertHistory,
  checkHistory,
  HistoryViolationError,
} from "./checker.js";
export { type ClockModel, type ClockTimeline, clockTimeline, DEFAULT_WALL_SKEW_MS } from "./clock-timeline.js";
export {
  classifyError,
  highResolutionNow,
  HistoryRecorder,
  type HistoryRecorderOptions,
  type Invocation,
  mergeHistories,
  parseHistory,
  RecordingClient,
  serializeHistory,
} from "./recorder.js";
export * from "./types.js";

/** The kit's pure reference model of the contract (SPEC K2). */
export { ReferenceModel } from "./reference-model.js";
export { TenantModel } from "./tenant.js";
export { RunsModel, type ModelCreateRunInput } from "./runs.js";
export { CacheModel } from "./cache.js";
export { TasksModel, MODEL_SIGNAL_PREFIX, MODEL_TASK_PREFIX } from "./tasks.js";
export { ok, rejected, valueOf, type Outcome } from "./outcome.js";
export { byCodePoint, bytesEqual, canonicalText, jsonEqual, ownedKeyPrefix } from "./json.js";

export * from "./errors.js";
export { credentialsOf, MASK, maskSecrets, secretForms, withoutSecrets } from "./secrets.js";
export * from "./clock.js";
export * from "./capabilities.js";
export * from "./types.js";
export * from "./defaults.js";
export * from "./validation.js";
export * from "./keys.js";
export * from "./tokens.js";
export * from "./ids.js";
export { LEASE_ID_BYTES, leaseIdsEqual, newLeaseId, newLeaseIds } from "./lease-ids.js";
export type { Backend } from "./contracts/backend.js";
export { DEFAULT_TENANT } from "./contracts/backend.js";
export type { WorkflowStore } from "./contracts/workflow-store.js";
export type { StateStore } from "./contracts/state-store.js";
export type { EngineBackend } from "./contracts/engine-backend.js";
export type { TenantStore } from "./contracts/tenant-store.js";
export type { TokenStore } from "./contracts/token-store.js";
export { CALL_RULES, type CallRule, type FacetName } from "./call-rules.js";
export { defineBackend, migrateOnOpen, type BackendDriver, type BackendFacets, type DriverFacets } from "./define-backend.js";
export { openBackend, parseBackendUrl, redact, supportedSchemes, type BackendModule, type CommonBackendOptions } from "./open-backend.js";
export type { AppliedMigration, BackendOperations, DoctorFinding, DoctorProbes, NamespaceRemover, SchemaState, Verdict } from "./contracts/backend-operations.js";
export { asJson, canonicalJson, jsonEqual } from "./rules/json.js";
export { decodeNestedBytes, decodeStoredValue, encodeNestedBytes, encodeStoredValue, storedValueColumns, type StoredValue, type StoredValueKind } from "./rules/stored-value.js";
export {
  enforceFence,
  fenceError,
  fenceErrorDetails,
  judgeFence,
  type FenceCode,
  type FencedLease,
  type FencedTask,
  type FenceErrorDetails,
  type FenceVerdict,
  type HolderCall,
} from "./rules/fence.js";
export {
  contextNotArrayDetails,
  definitionConflictDetails,
  eventIdConflictDetails,
  keyHeldDetails,
  notDeadDetails,
  notFoundDetails,
  runExistsDetails,
  sequenceConflictDetails,
  snapshotBeyondDetails,
  statusConflictDetails,
  statusMoveDetails,
  tenantExistsDetails,
  tenantSuspendedDetails,
  type ContextNotArrayDetails,
  type DefinitionConflictDetails,
  type EventIdConflictDetails,
  type KeyHeldDetails,
  type MissingThing,
  type NotDeadDetails,
  type NotFoundDetails,
  type RunExistsDetails,
  type SequenceConflictDetails,
  type SnapshotBeyondDetails,
  type StatusConflictDetails,
  type StatusMoveDetails,
  type TenantExistsDetails,
  type TenantSuspendedDetails,
} from "./rules/details.js";
export {
  graceEnd,
  MAX_WAITPOINT_MS,
  newWaitpointSecret,
  parseWaitpointToken,
  signWaitpointToken,
  waitpointFingerprint,
  waitpointMacValid,
  verifyWaitpointToken,
  waitpointRefusedError,
  type ParsedWaitpointToken,
  type StoredWaitpointSecret,
  type WaitpointClaims,
  type WaitpointRefusal,
  type WaitpointRefusalDetails,
  type WaitpointSecret,
} from "./rules/waitpoints.js";
export { afterTail, type Closable } from "./rules/tail.js";
export { cancelEach, retryEachDeadLetter } from "./rules/bulk.js";
export { statementOfFile } from "./rules/statement-file.js";

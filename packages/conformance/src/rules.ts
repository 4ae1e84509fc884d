/**
 * Every SPEC rule the kit checks, with the area the report groups it under. Rule ids are stable
 * (SPEC preamble); a check names exactly one of them.
 */

export const AREAS = [
  "validation",
  "workflows",
  "sequencing",
  "snapshots",
  "state",
  "leases",
  "reclaim",
  "scheduling",
  "signals",
  "notifications",
  "isolation",
  "access",
] as const;

export type Area = (typeof AREAS)[number];

export interface RuleInfo {
  readonly id: string;
  readonly area: Area;
  readonly title: string;
}

const rule = (id: string, area: Area, title: string): RuleInfo => ({ id, area, title });

export const RULES: readonly RuleInfo[] = [
  rule("C1", "validation", "Validation first: bad input throws VALIDATION and writes nothing"),
  rule("C2", "validation", "A call that throws writes nothing"),
  rule("C3", "validation", "Time comes from one injected clock"),
  rule("C4", "validation", "Errors are typed MooringErrors"),
  rule("C5", "validation", "Lists paginate by opaque cursor without repeats or skips"),
  rule("C6", "validation", "Absent reads return null; writes to absent things throw NOT_FOUND"),
  rule("W1", "workflows", "Definitions are immutable; equal re-put is idempotent"),
  rule("W2", "workflows", "createRun with ifExists return / replace / error"),
  rule("W3", "workflows", "Run status graph; terminal runs never change"),
  rule("W4", "workflows", "setContext / appendToContext without lost updates"),
  rule("W5", "workflows", "listRuns in creation order; deleteRun cascades"),
  rule("W6", "workflows", "Steps upsert in first-insertion order"),
  rule("W7", "sequencing", "Event sequences per run are 1..n, gap-free, batches contiguous"),
  rule("W8", "sequencing", "expectedSequence: exactly one of k concurrent writers wins"),
  rule("W9", "sequencing", "readEvents / latestSequence agree; events immutable"),
  rule("W10", "snapshots", "Durable snapshots and the replay law"),
  rule("W11", "snapshots", "commit is atomic and fenced"),
  rule("S1", "state", "Cached snapshots save / load / delete / list"),
  rule("S2", "state", "Byte values round-trip; expired keys are invisible at once"),
  rule("S3", "state", "setIfAbsent / compareAndSet: exactly one winner"),
  rule("S4", "state", "deleteExecutionState removes only that execution's state"),
  rule("E1", "scheduling", "enqueue / enqueueMany with defaults"),
  rule("E2", "scheduling", "Idempotency keys deduplicate, even under races"),
  rule("E3", "leases", "claim order: priority, ready time, FIFO; only due tasks"),
  rule("E4", "leases", "Exclusivity: never two unexpired leases for one task"),
  rule("E5", "leases", "Fencing: epochs increase; holder calls checked in order"),
  rule("E6", "leases", "renew extends the lease, same epoch"),
  rule("E7", "leases", "complete settles once; idempotent retry"),
  rule("E8", "leases", "fail consumes the attempt: backoff retry or dead letter"),
  rule("E9", "leases", "release gives the task back without consuming an attempt"),
  rule("E10", "reclaim", "Expired leases consume their attempt; claim reclaims lazily"),
  rule("E11", "reclaim", "Reclaim is exactly-once; old holders are fenced off"),
  rule("E12", "reclaim", "Dead letters: list, retry, move"),
  rule("E13", "leases", "cancel / revokeLease / getTask"),
  rule("E14", "signals", "suspend parks until signals or timeout"),
  rule("E15", "signals", "signal delivers or buffers; idempotent"),
  rule("E16", "scheduling", "Dependencies block, release and cascade failure"),
  rule("E17", "scheduling", "Queue concurrency and pause; queueStats"),
  rule("E18", "notifications", "Progress and stream frames are fenced writes"),
  rule("E19", "notifications", "waitForWork wakes workers; subscribe streams events"),
  // Version 2 (SPEC section 11).
  rule("W12", "workflows", "createRun with first events in one transaction"),
  rule("W13", "workflows", "Bytes round-trip exactly in payloads, contexts, results and frames"),
  rule("W14", "workflows", "Listing for a UI: runs by workflow, newest first; events backwards"),
  rule("W15", "sequencing", "Event ids unique per run; claimed keys unique per tenant"),
  rule("W16", "notifications", "waitForEvents wakes log readers"),
  rule("E20", "scheduling", "Concurrency keys: a per-key limit over unexpired leases; fair order between keys"),
  rule("E21", "scheduling", "Rate limits: at most max leases per sliding interval; queueStats nextGrantAt"),
  rule("E25", "signals", "Signed waitpoints: a token resumes its task once, verified by kid, MAC and expiry; secrets rotate with grace"),
  rule("E26", "leases", "Operator calls: change priority, replay, list tasks and queues, bulk cancel and retry"),
  rule("E28", "notifications", "Tailing a stream: readFrames waits for the next frame; per-attempt summaries"),
  rule("T1", "isolation", "Tenants never see or touch each other's data"),
  rule("T2", "access", "Tenant records; suspended tenants grant nothing"),
  rule("T3", "access", "Tokens: hashed at rest, validated in constant time"),
  rule("T4", "access", "Unguessable leases: a wrong leaseId is STALE_LEASE and writes nothing"),
];

export type RuleId = string;

const BY_ID = new Map(RULES.map((info) => [info.id, info]));

/** The rule's info. @throws Error for an id the SPEC does not have (a kit bug). */
export function ruleInfo(id: RuleId): RuleInfo {
  const info = BY_ID.get(id);
  if (!info) throw new Error(`unknown SPEC rule ${id}`);
  return info;
}

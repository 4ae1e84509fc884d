/**
 * Checks a recorded history (see `types.ts`) against the rules concurrency can break:
 *
 * - E4 exclusivity: no two leases of one task are valid at once. A lease is valid from the
 *   completion of the claim that granted it until the backend's clock may have reached its
 *   `expiresAt` (extended by each renewal once that renewal completed), or until a call that may
 *   have ended it (a settlement, a parking suspend, a cancel or revoke) was invoked. No (task, epoch)
 *   is granted twice, and (E5) a claim that starts after another finished grants a higher epoch.
 * - E7 single settlement: at most one lease completes a task, a task reaches at most one terminal
 *   outcome, a repeated `complete` of the lease that completed the task is accepted, and no holder
 *   call is accepted once a newer lease was granted before it was invoked, or once its lease had
 *   expired when it was invoked (E5; for `complete`, E7) — that repeat excepted. Nor (E5) is one
 *   accepted for a lease no claim had granted (a forged fence), or after a cancel or revoke ended it.
 * - E11 exactly-once reclaim: each task mention in a reclaim result is matched to a distinct lease
 *   that may have expired by then; a reclaim names a task at most once, and no holder call of a
 *   reclaimed lease is accepted afterwards.
 * - E20 key limits: given the keyConcurrency of a queue (an option: the limit in force for the
 *   whole history), the leases of one (queue, concurrencyKey) definitely valid at one instant (as
 *   for E4) never outnumber it.
 * - W7 gap-free sequences: per run, acknowledged appends got contiguous sequences, one per event,
 *   never one sequence twice; the acknowledged sequences leave no gap that appends of unknown
 *   outcome cannot fill; a read of the log is exactly 1..n, holds every append acknowledged before
 *   it began with its events unchanged, and nothing no append wrote; (W8) a conditional append is
 *   acknowledged exactly after its expected sequence.
 *
 * Every judgement is conservative: only what the history proves is a violation (an operation of
 * unknown outcome may or may not have taken effect, and concurrent operations may have taken
 * effect in either order). It assumes that every claim, reclaim and holder call on the tasks, and
 * every append to the runs, is in the history.
 *
 * Cost: one pass to index entries by task and run, then work per task and per run that is linear
 * in their entries up to sorting, so about O(n log n) for n entries.
 */
import { canonicalText } from "../model/json.js";
import { type ClockModel, type ClockTimeline, clockTimeline } from "./clock-timeline.js";
import {
  type AppendArgs,
  type GrantedLease,
  HISTORY_OPS,
  type HistoryEntry,
  type HistoryReport,
  type HistoryRule,
  type HistoryStats,
  type RecordedEvent,
  type Violation,
  type ViolationKind,
} from "./types.js";

export interface CheckHistoryOptions {
  /** How the backend's clock relates to real time; default `{ kind: "auto" }`. */
  readonly clock?: ClockModel;
  /** Stop collecting after this many violations; default 100. */
  readonly maxViolations?: number;
  /** queue → the keyConcurrency in force for the whole history (E20); queues not listed are not judged. */
  readonly keyConcurrency?: Readonly<Record<string, number>>;
}

/** An entry with its completion as a number (+∞ when it never completed). */
interface Op {
  readonly index: number;
  readonly op: string;
  readonly invokedAt: number;
  readonly completedAt: number;
  readonly outcome: HistoryEntry["outcome"];
  readonly value: unknown;
}

interface Grant {
  readonly epoch: number;
  readonly expiresAt: number;
  readonly claim: Op;
  readonly queue: string | undefined;
  readonly concurrencyKey: string | undefined;
}

interface HolderCall {
  readonly op: Op;
  /** Whether, if it took effect, the lease ended (a settlement or a parking suspend). */
  readonly ends: boolean;
}

interface LeaseFacts {
  readonly grants: Grant[];
  /** Renewals that succeeded (with their new expiry) or whose outcome is unknown. */
  readonly renewals: { readonly op: Op; readonly expiresAt: number | null }[];
  /** Holder calls that succeeded or whose outcome is unknown. */
  readonly calls: HolderCall[];
  /** Completes the fence rejected. */
  readonly rejectedCompletes: Op[];
}

interface Mention {
  readonly reclaim: Op;
  readonly dead: boolean;
}

interface TaskFacts {
  readonly taskId: string;
  readonly leases: Map<number, LeaseFacts>;
  /** cancel / revokeLease calls that may have ended the current lease (ok and true, or unknown). */
  readonly interruptions: Op[];
  /** Whether a retryDeadLetter may have revived the task. */
  revived: boolean;
  /** Whether a cancel succeeded on the task (a terminal outcome). */
  readonly cancels: Op[];
  readonly mentions: Mention[];
}

interface RunFacts {
  readonly runId: string;
  readonly acknowledged: {
    readonly op: Op;
    readonly events: readonly AppendArgs["events"][number][];
    readonly sequences: readonly number[];
    readonly expectedSequence: number | undefined;
  }[];
  readonly unknown: { readonly op: Op; readonly events: readonly AppendArgs["events"][number][] }[];
  readonly reads: { readonly op: Op; readonly events: readonly RecordedEvent[] }[];
}

const HOLDER_OPS: ReadonlySet<string> = new Set([
  HISTORY_OPS.renew,
  HISTORY_OPS.complete,
  HISTORY_OPS.fail,
  HISTORY_OPS.release,
  HISTORY_OPS.suspend,
  HISTORY_OPS.moveToDeadLetter,
  HISTORY_OPS.progress,
  HISTORY_OPS.appendFrame,
]);

const SETTLING_OPS: ReadonlySet<string> = new Set([HISTORY_OPS.complete, HISTORY_OPS.fail, HISTORY_OPS.release, HISTORY_OPS.moveToDeadLetter]);

/** Codes with which the fence rejects a holder call (SPEC E5), as opposed to bad input or a closed client. */
const FENCE_CODES: ReadonlySet<string> = new Set(["NOT_FOUND", "STALE_LEASE", "LEASE_REVOKED", "LEASE_EXPIRED", "INVALID_STATE"]);

class Violations {
  readonly list: Violation[] = [];
  truncated = false;
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  add(rule: HistoryRule, kind: ViolationKind, message: string, entries: readonly number[]): void {
    if (this.list.length >= this.#max) {
      this.truncated = true;
      return;
    }
    this.list.push({ rule, kind, message, entries: [...new Set(entries)] });
  }
}

/** Checks `entries` (any order) and reports every violation found, up to `maxViolations`. */
export function checkHistory(entries: readonly HistoryEntry[], options: CheckHistoryOptions = {}): HistoryReport {
  const clock = clockTimeline(entries, options.clock);
  const violations = new Violations(options.maxViolations ?? 100);
  const { tasks, runs, unknownClaims } = indexEntries(entries, violations);
  const keyed = new KeyedSegments(options.keyConcurrency ?? {});
  for (const task of tasks.values()) checkTask(task, clock, unknownClaims, violations, keyed);
  keyed.check(violations);
  for (const run of runs.values()) checkRun(run, violations);
  return {
    valid: violations.list.length === 0,
    violations: violations.list,
    truncated: violations.truncated,
    stats: statsOf(entries, tasks, runs),
  };
}

/** An Error whose message lists a report's violations. */
export class HistoryViolationError extends Error {
  override readonly name = "HistoryViolationError";
  readonly report: HistoryReport;

  constructor(report: HistoryReport, limit = 10) {
    const shown = report.violations.slice(0, limit).map((violation) => `- ${violation.rule} ${violation.kind}: ${violation.message} (entries ${violation.entries.join(", ")})`);
    const more = report.violations.length - shown.length;
    super(
      [
        `the history of ${report.stats.entries} operations breaks the contract ${report.violations.length}${report.truncated ? "+" : ""} time(s):`,
        ...shown,
        ...(more > 0 || report.truncated ? [`… and ${more > 0 ? more : "more"} further violation(s)`] : []),
      ].join("\n"),
    );
    this.report = report;
  }
}

/** `checkHistory`, throwing HistoryViolationError unless the history is valid; returns the report. */
export function assertHistory(entries: readonly HistoryEntry[], options: CheckHistoryOptions = {}): HistoryReport {
  const report = checkHistory(entries, options);
  if (!report.valid) throw new HistoryViolationError(report);
  return report;
}

// ---------------------------------------------------------------------------------------------
// Indexing

function malformed(entry: HistoryEntry, problem: string): never {
  throw new Error(`history entry #${entry.index} (${entry.op}) is malformed: ${problem}`);
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function leaseRefOf(entry: HistoryEntry): { taskId: string; epoch: number } {
  const args = asRecord(entry.args);
  if (typeof args?.taskId !== "string" || typeof args.epoch !== "number") malformed(entry, "args must be { taskId, epoch }");
  return { taskId: args.taskId, epoch: args.epoch };
}

function taskIdOf(entry: HistoryEntry): string {
  const args = asRecord(entry.args);
  if (typeof args?.taskId !== "string") malformed(entry, "args must be { taskId }");
  return args.taskId;
}

function grantsOf(entry: HistoryEntry): GrantedLease[] {
  if (!Array.isArray(entry.value)) malformed(entry, "an ok claim's value must be the granted leases");
  for (const lease of entry.value as unknown[]) {
    const record = asRecord(lease);
    if (typeof record?.taskId !== "string" || typeof record.epoch !== "number" || typeof record.expiresAt !== "number") {
      malformed(entry, "a granted lease must have taskId, epoch and expiresAt");
    }
  }
  return entry.value as GrantedLease[];
}

function stringArray(entry: HistoryEntry, value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) malformed(entry, `value.${field} must be an array of task ids`);
  return value;
}

function eventsOf(entry: HistoryEntry): AppendArgs {
  const args = asRecord(entry.args);
  if (typeof args?.runId !== "string" || !Array.isArray(args.events)) malformed(entry, "args must be { runId, events }");
  return args as unknown as AppendArgs;
}

function toOp(entry: HistoryEntry): Op {
  return {
    index: entry.index,
    op: entry.op,
    invokedAt: entry.invokedAt,
    completedAt: entry.completedAt ?? Number.POSITIVE_INFINITY,
    outcome: entry.outcome,
    value: entry.value,
  };
}

function indexEntries(entries: readonly HistoryEntry[], violations: Violations): { tasks: Map<string, TaskFacts>; runs: Map<string, RunFacts>; unknownClaims: number } {
  const tasks = new Map<string, TaskFacts>();
  const runs = new Map<string, RunFacts>();
  let unknownClaims = 0;
  const task = (taskId: string): TaskFacts => {
    let facts = tasks.get(taskId);
    if (!facts) tasks.set(taskId, (facts = { taskId, leases: new Map(), interruptions: [], revived: false, cancels: [], mentions: [] }));
    return facts;
  };
  const lease = (taskId: string, epoch: number): LeaseFacts => {
    const leases = task(taskId).leases;
    let facts = leases.get(epoch);
    if (!facts) leases.set(epoch, (facts = { grants: [], renewals: [], calls: [], rejectedCompletes: [] }));
    return facts;
  };
  const run = (runId: string): RunFacts => {
    let facts = runs.get(runId);
    if (!facts) runs.set(runId, (facts = { runId, acknowledged: [], unknown: [], reads: [] }));
    return facts;
  };

  for (const entry of entries) {
    const op = toOp(entry);
    switch (entry.op) {
      case HISTORY_OPS.claim:
        if (entry.outcome === "info") unknownClaims++;
        if (entry.outcome !== "ok") break;
        for (const granted of grantsOf(entry)) {
          lease(granted.taskId, granted.epoch).grants.push({
            epoch: granted.epoch,
            expiresAt: granted.expiresAt,
            claim: op,
            queue: granted.queue,
            concurrencyKey: granted.concurrencyKey,
          });
        }
        break;
      case HISTORY_OPS.reclaim: {
        if (entry.outcome !== "ok") break;
        const value = asRecord(entry.value);
        const retried = stringArray(entry, value?.retried, "retried");
        const dead = stringArray(entry, value?.deadLettered, "deadLettered");
        const seen = new Set<string>();
        for (const [taskId, isDead] of [...retried.map((id) => [id, false] as const), ...dead.map((id) => [id, true] as const)]) {
          if (seen.has(taskId)) {
            violations.add("E11", "task-twice-in-one-reclaim", `reclaim #${entry.index} names task ${taskId} more than once`, [entry.index]);
            continue;
          }
          seen.add(taskId);
          task(taskId).mentions.push({ reclaim: op, dead: isDead });
        }
        break;
      }
      case HISTORY_OPS.cancel:
      case HISTORY_OPS.revokeLease: {
        const facts = task(taskIdOf(entry));
        if (entry.outcome === "info" || (entry.outcome === "ok" && entry.value === true)) facts.interruptions.push(op);
        if (entry.op === HISTORY_OPS.cancel && entry.outcome === "ok" && entry.value === true) facts.cancels.push(op);
        break;
      }
      case HISTORY_OPS.retryDeadLetter:
        if (entry.outcome !== "fail") task(taskIdOf(entry)).revived = true;
        break;
      case HISTORY_OPS.append: {
        const args = eventsOf(entry);
        if (entry.outcome === "ok") {
          if (!Array.isArray(entry.value) || !entry.value.every((sequence) => typeof sequence === "number")) malformed(entry, "an ok append's value must be its sequences");
          const expectedSequence = typeof args.expectedSequence === "number" ? args.expectedSequence : undefined;
          run(args.runId).acknowledged.push({ op, events: args.events, sequences: entry.value as number[], expectedSequence });
        } else if (entry.outcome === "info") {
          run(args.runId).unknown.push({ op, events: args.events });
        } else {
          run(args.runId);
        }
        break;
      }
      case HISTORY_OPS.read: {
        const runId = asRecord(entry.args)?.runId;
        if (typeof runId !== "string") malformed(entry, "args must be { runId }");
        if (entry.outcome !== "ok") break;
        if (!Array.isArray(entry.value)) malformed(entry, "an ok read's value must be the events");
        run(runId).reads.push({ op, events: entry.value as RecordedEvent[] });
        break;
      }
      default:
        if (!HOLDER_OPS.has(entry.op)) break;
        if (entry.outcome !== "fail") {
          addHolderCall(entry, op, lease);
        } else if (entry.op === HISTORY_OPS.complete && FENCE_CODES.has(entry.error?.code ?? "")) {
          const { taskId, epoch } = leaseRefOf(entry);
          lease(taskId, epoch).rejectedCompletes.push(op);
        }
    }
  }
  return { tasks, runs, unknownClaims };
}

function addHolderCall(entry: HistoryEntry, op: Op, lease: (taskId: string, epoch: number) => LeaseFacts): void {
  const { taskId, epoch } = leaseRefOf(entry);
  const facts = lease(taskId, epoch);
  if (entry.op === HISTORY_OPS.renew) {
    const expiresAt = entry.outcome === "ok" ? asRecord(entry.value)?.expiresAt : null;
    if (entry.outcome === "ok" && typeof expiresAt !== "number") malformed(entry, "an ok renew's value must be { expiresAt }");
    facts.renewals.push({ op, expiresAt: typeof expiresAt === "number" ? expiresAt : null });
  }
  const parks = entry.op === HISTORY_OPS.suspend && (entry.outcome === "info" || asRecord(entry.value)?.suspended === true);
  facts.calls.push({ op, ends: SETTLING_OPS.has(entry.op) || parks });
}

// ---------------------------------------------------------------------------------------------
// Per task: E4, E5, E7, E11

/** What the per-task checks share: the task's facts and what was derived from them once. */
interface TaskScope {
  readonly task: TaskFacts;
  /** Per epoch, the first claim that granted it. */
  readonly firstGrant: ReadonlyMap<number, Grant>;
  /** Per epoch, when (and by which grant) a higher epoch was first granted. */
  readonly supersededAt: ReadonlyMap<number, { at: number; by: Grant | null }>;
  readonly clock: ClockTimeline;
  /** Claims of unknown outcome in the whole history: leases the history cannot name. */
  readonly unknownClaims: number;
  readonly violations: Violations;
}

function checkTask(task: TaskFacts, clock: ClockTimeline, unknownClaims: number, violations: Violations, keyed: KeyedSegments): void {
  const epochs = [...task.leases.keys()].sort((a, b) => a - b);
  const firstGrant = new Map<number, Grant>();
  for (const epoch of epochs) {
    const grants = (task.leases.get(epoch) as LeaseFacts).grants;
    const [first] = grants;
    if (first) firstGrant.set(epoch, first);
    if (grants.length > 1) {
      violations.add("E4", "epoch-granted-twice", `task ${task.taskId}: epoch ${epoch} was granted ${grants.length} times (two holders of one lease)`, grants.map((g) => g.claim.index));
    }
  }
  checkEpochOrder(task, [...firstGrant.values()], violations);
  const scope: TaskScope = { task, firstGrant, supersededAt: supersessionTimes(epochs, firstGrant), clock, unknownClaims, violations };
  checkExclusivity(scope, keyed);
  const flagged = checkHolderCalls(scope);
  checkSettlements(task, violations);
  checkReclaims(scope, flagged);
}

/** E5: a claim invoked after another claim completed grants a higher epoch. */
function checkEpochOrder(task: TaskFacts, grants: readonly Grant[], violations: Violations): void {
  const byInvocation = [...grants].sort((a, b) => a.claim.invokedAt - b.claim.invokedAt);
  const byCompletion = [...grants].sort((a, b) => a.claim.completedAt - b.claim.completedAt);
  let next = 0;
  let highest: Grant | null = null;
  for (const grant of byInvocation) {
    while (next < byCompletion.length && (byCompletion[next] as Grant).claim.completedAt < grant.claim.invokedAt) {
      const done = byCompletion[next++] as Grant;
      if (highest === null || done.epoch > highest.epoch) highest = done;
    }
    if (highest !== null && highest.epoch > grant.epoch) {
      violations.add(
        "E5",
        "epoch-not-increasing",
        `task ${task.taskId}: claim #${grant.claim.index} granted epoch ${grant.epoch} after claim #${highest.claim.index} had granted epoch ${highest.epoch}`,
        [highest.claim.index, grant.claim.index],
      );
    }
  }
}

/**
 * For each epoch, the earliest completion of a claim that granted a higher epoch: from then on the
 * lease is superseded.
 */
function supersessionTimes(epochs: readonly number[], firstGrant: ReadonlyMap<number, Grant>): Map<number, { at: number; by: Grant | null }> {
  const result = new Map<number, { at: number; by: Grant | null }>();
  let earliest: { at: number; by: Grant | null } = { at: Number.POSITIVE_INFINITY, by: null };
  for (let i = epochs.length - 1; i >= 0; i--) {
    const epoch = epochs[i] as number;
    result.set(epoch, earliest);
    const grant = firstGrant.get(epoch);
    if (grant && grant.claim.completedAt < earliest.at) earliest = { at: grant.claim.completedAt, by: grant };
  }
  return result;
}

/** When a lease may first have ended other than by expiry: a settling call or an interruption invoked. */
function endOf(task: TaskFacts, facts: LeaseFacts, grant: Grant): number {
  let end = Number.POSITIVE_INFINITY;
  for (const call of facts.calls) if (call.ends) end = Math.min(end, call.op.invokedAt);
  for (const interruption of task.interruptions) {
    if (interruption.completedAt > grant.claim.invokedAt) end = Math.min(end, interruption.invokedAt);
  }
  return end;
}

interface Segment {
  readonly epoch: number;
  readonly start: number;
  readonly end: number;
  readonly entry: number;
}

/**
 * E4: the intervals in which leases were definitely valid never overlap across epochs. The same
 * intervals of keyed leases go to `keyed`, for E20.
 */
function checkExclusivity({ task, firstGrant, clock, violations }: TaskScope, keyed: KeyedSegments): void {
  const segments: Segment[] = [];
  for (const [epoch, grant] of firstGrant) {
    const facts = task.leases.get(epoch) as LeaseFacts;
    const end = endOf(task, facts, grant);
    const own: Segment[] = [{ epoch, start: grant.claim.completedAt, end: Math.min(end, clock.reach(grant.expiresAt)), entry: grant.claim.index }];
    for (const renewal of facts.renewals) {
      if (renewal.op.outcome !== "ok" || renewal.expiresAt === null) continue;
      own.push({ epoch, start: renewal.op.completedAt, end: Math.min(end, clock.reach(renewal.expiresAt)), entry: renewal.op.index });
    }
    const merged = mergeSegments(own.filter((segment) => segment.start < segment.end));
    segments.push(...merged);
    keyed.add(grant, task.taskId, merged);
  }
  segments.sort((a, b) => a.start - b.start);
  let latest: Segment | null = null;
  const reported = new Set<string>();
  for (const segment of segments) {
    if (latest !== null && segment.start < latest.end && latest.epoch !== segment.epoch) {
      const pair = `${latest.epoch}/${segment.epoch}`;
      if (!reported.has(pair)) {
        reported.add(pair);
        violations.add(
          "E4",
          "overlapping-leases",
          `task ${task.taskId}: epoch ${segment.epoch} was valid from entry #${segment.entry} while epoch ${latest.epoch} (entry #${latest.entry}) was still valid: its expiry not yet reachable and nothing had ended it`,
          [latest.entry, segment.entry],
        );
      }
    }
    if (latest === null || segment.end > latest.end) latest = segment;
  }
}

/**
 * E20: per (queue, concurrencyKey) of a queue with a known keyConcurrency, the definitely valid
 * intervals of its leases, swept in time order: more of them open at once than the limit is a
 * violation, reported once per key.
 */
class KeyedSegments {
  readonly #limits: Readonly<Record<string, number>>;
  readonly #byKey = new Map<string, { queue: string; key: string; segments: (Segment & { taskId: string })[] }>();

  constructor(limits: Readonly<Record<string, number>>) {
    this.#limits = limits;
  }

  add(grant: Grant, taskId: string, segments: readonly Segment[]): void {
    const { queue, concurrencyKey: key } = grant;
    if (queue === undefined || key === undefined || !Object.hasOwn(this.#limits, queue)) return;
    const id = `${queue}\u0000${key}`;
    let group = this.#byKey.get(id);
    if (!group) this.#byKey.set(id, (group = { queue, key, segments: [] }));
    for (const segment of segments) group.segments.push({ ...segment, taskId });
  }

  check(violations: Violations): void {
    for (const { queue, key, segments } of this.#byKey.values()) {
      const limit = this.#limits[queue] as number;
      // Ends before starts at one instant: the intervals are half-open.
      const marks = segments.flatMap((segment) => [
        { at: segment.start, delta: 1, segment },
        { at: segment.end, delta: -1, segment },
      ]);
      marks.sort((a, b) => a.at - b.at || a.delta - b.delta);
      const open = new Set<Segment & { taskId: string }>();
      for (const mark of marks) {
        if (mark.delta < 0) {
          open.delete(mark.segment);
          continue;
        }
        open.add(mark.segment);
        if (open.size > limit) {
          const held = [...open];
          violations.add(
            "E20",
            "key-limit-exceeded",
            `queue ${queue}, key ${key}: ${held.length} leases valid at once with keyConcurrency ${limit}: ${held.map((s) => `${s.taskId}@${s.epoch} (entry #${s.entry})`).join(", ")}`,
            held.map((s) => s.entry),
          );
          break;
        }
      }
    }
  }
}

/** The union of one lease's segments, sorted and disjoint. */
function mergeSegments(segments: readonly Segment[]): Segment[] {
  const sorted = [...segments].sort((a, b) => a.start - b.start);
  const merged: Segment[] = [];
  for (const segment of sorted) {
    const last = merged.at(-1);
    if (last && segment.start <= last.end) merged[merged.length - 1] = { ...last, end: Math.max(last.end, segment.end) };
    else merged.push(segment);
  }
  return merged;
}

/**
 * E5 / E7: no holder call is accepted for a lease no claim had granted, after a newer lease was
 * granted, after a cancel or revoke ended it, or once it had expired at its invocation; a repeated
 * complete of the lease that completed the task is accepted, and only it may come late. Returns the
 * indexes of the calls it flagged.
 */
function checkHolderCalls({ task, firstGrant, supersededAt, clock, unknownClaims, violations }: TaskScope): Set<number> {
  const flagged = new Set<number>();
  const flag = (op: Op, rule: HistoryRule, kind: ViolationKind, message: string, entries: readonly number[]): void => {
    flagged.add(op.index);
    violations.add(rule, kind, message, entries);
  };
  for (const [epoch, facts] of task.leases) {
    const accepted = facts.calls.filter((call) => call.op.outcome === "ok").map((call) => call.op);
    const completes = accepted.filter((op) => op.op === HISTORY_OPS.complete).sort((a, b) => a.invokedAt - b.invokedAt);
    // Only the first complete to be invoked must have met a live lease: the others repeat it (E7).
    const checked = accepted.filter((op) => op.op !== HISTORY_OPS.complete || op === completes[0]);
    const grant = firstGrant.get(epoch);
    const superseded = supersededAt.get(epoch);
    for (const op of checked) {
      const what = `task ${task.taskId}: ${op.op} with epoch ${epoch} (entry #${op.index}) succeeded`;
      // A complete accepted from a superseded or expired holder is E7's "settled by the wrong holder".
      const settling: HistoryRule = op.op === HISTORY_OPS.complete ? "E7" : "E5";
      if (epoch < 1 || (grant === undefined && unknownClaims === 0) || (grant !== undefined && op.completedAt < grant.claim.invokedAt)) {
        flag(op, "E5", "ungranted-lease-accepted", `${what} although no claim had granted that lease`, [op.index]);
        continue;
      }
      if (superseded?.by && superseded.at < op.invokedAt) {
        flag(op, settling, "superseded-holder-accepted", `${what} although epoch ${superseded.by.epoch} had been granted (entry #${superseded.by.claim.index}) before it was invoked`, [
          superseded.by.claim.index,
          op.index,
        ]);
        continue;
      }
      if (!grant) continue;
      const revoked = task.interruptions.find((other) => other.outcome === "ok" && other.invokedAt > grant.claim.completedAt && other.completedAt < op.invokedAt);
      if (revoked) {
        flag(op, "E5", "revoked-holder-accepted", `${what} although ${revoked.op} #${revoked.index} had ended the lease before it was invoked`, [grant.claim.index, revoked.index, op.index]);
        continue;
      }
      const expiry = expiryUpperBound(facts, grant, op.invokedAt);
      if (expiry === null || clock.atLeast(op.invokedAt) < expiry) continue;
      flag(op, settling, "expired-holder-accepted", `${what} although the clock had reached ${clock.atLeast(op.invokedAt)} ≥ the lease's expiresAt ${expiry} before it was invoked`, [
        grant.claim.index,
        op.index,
      ]);
    }
    const firstCompleted = completes.reduce((earliest, op) => Math.min(earliest, op.completedAt), Number.POSITIVE_INFINITY);
    for (const rejected of facts.rejectedCompletes) {
      if (rejected.invokedAt <= firstCompleted) continue;
      violations.add(
        "E7",
        "repeated-complete-rejected",
        `task ${task.taskId}: complete with epoch ${epoch} (entry #${rejected.index}) was rejected although the same lease had completed the task (entry #${completes[0]?.index ?? "?"}) before it was invoked`,
        [completes[0]?.index ?? rejected.index, rejected.index],
      );
    }
  }
  return flagged;
}

/**
 * The latest the lease can expire, as of real time `at`: its grant's expiry or that of a renewal
 * invoked before `at`; null when a renewal of unknown outcome makes it unknowable.
 */
function expiryUpperBound(facts: LeaseFacts, grant: Grant, at: number): number | null {
  let expiry = grant.expiresAt;
  for (const renewal of facts.renewals) {
    if (renewal.op.invokedAt >= at) continue;
    if (renewal.expiresAt === null) return null;
    expiry = Math.max(expiry, renewal.expiresAt);
  }
  return expiry;
}

/** The earliest the lease can expire as of real time `at`: its grant's expiry or that of a renewal that completed before `at`. */
function expiryLowerBound(facts: LeaseFacts, grant: Grant, at: number): number {
  let expiry = grant.expiresAt;
  for (const renewal of facts.renewals) {
    if (renewal.expiresAt !== null && renewal.op.completedAt < at) expiry = Math.max(expiry, renewal.expiresAt);
  }
  return expiry;
}

/** E7: one lease completes the task, and the task has at most one terminal outcome. */
function checkSettlements(task: TaskFacts, violations: Violations): void {
  const terminal: { readonly what: string; readonly entry: number }[] = [];
  const completedBy = new Map<number, number>();
  for (const [epoch, facts] of task.leases) {
    for (const call of facts.calls) {
      if (call.op.outcome !== "ok") continue;
      if (call.op.op === HISTORY_OPS.complete && !completedBy.has(epoch)) {
        completedBy.set(epoch, call.op.index);
        terminal.push({ what: `complete of epoch ${epoch}`, entry: call.op.index });
      }
      if (call.op.op === HISTORY_OPS.fail && asRecord(call.op.value)?.outcome === "dead") terminal.push({ what: `fail (dead) of epoch ${epoch}`, entry: call.op.index });
      if (call.op.op === HISTORY_OPS.moveToDeadLetter) terminal.push({ what: `moveToDeadLetter of epoch ${epoch}`, entry: call.op.index });
    }
  }
  if (completedBy.size > 1) {
    violations.add("E7", "completed-twice", `task ${task.taskId} was completed by ${completedBy.size} leases (epochs ${[...completedBy.keys()].join(", ")})`, [...completedBy.values()]);
  }
  // A dead letter brought back by retryDeadLetter may end again: only a task never revived has one outcome.
  if (task.revived) return;
  for (const mention of task.mentions) if (mention.dead) terminal.push({ what: "dead-lettered by a reclaim", entry: mention.reclaim.index });
  for (const cancel of task.cancels) terminal.push({ what: "cancel", entry: cancel.index });
  if (terminal.length > 1 && completedBy.size <= 1) {
    violations.add("E7", "settled-twice", `task ${task.taskId} reached ${terminal.length} terminal outcomes: ${terminal.map((t) => `${t.what} (#${t.entry})`).join(", ")}`, terminal.map((t) => t.entry));
  }
}

/**
 * E11: each reclaim of the task is matched to a distinct lease that may have been expired and
 * unsettled at the time (a maximum bipartite matching; leases of claims whose outcome is unknown,
 * and epochs missing from the history, are a pool any reclaim may use).
 */
function checkReclaims(scope: TaskScope, flagged: ReadonlySet<number>): void {
  const { task, firstGrant, unknownClaims, violations } = scope;
  if (task.mentions.length === 0) return;
  const mentions = [...task.mentions].sort((a, b) => a.reclaim.invokedAt - b.reclaim.invokedAt);
  const candidates = mentions.map((mention) => reclaimCandidates(scope, mention.reclaim));
  const epochs = [...firstGrant.keys()];
  const highest = epochs.length === 0 ? 0 : Math.max(...epochs);
  const pool = unknownClaims + (highest - epochs.length);
  const assigned = maximumMatching(candidates);
  const unmatched = mentions.map((_, i) => i).filter((i) => assigned[i] === null);
  for (const i of unmatched.slice(pool)) {
    const mention = mentions[i] as Mention;
    const options = candidates[i] as number[];
    if (options.length === 0) {
      violations.add(
        "E11",
        "reclaimed-unexpired",
        `task ${task.taskId}: reclaim #${mention.reclaim.index} named it, but no lease of the task can have been expired and unsettled then`,
        [mention.reclaim.index],
      );
    } else {
      violations.add(
        "E11",
        "expiry-reclaimed-twice",
        `task ${task.taskId}: reclaim #${mention.reclaim.index} named it, but every lease that can have expired by then (epochs ${options.join(", ")}) was already counted by another reclaim`,
        [mention.reclaim.index, ...mentions.filter((_, j) => options.includes(assigned[j] ?? -1)).map((m) => m.reclaim.index)],
      );
    }
  }
  if (pool > 0) return;
  // A reclaim that can only be of one lease fences that lease's holder off from then on.
  for (const [i, mention] of mentions.entries()) {
    const options = candidates[i] as number[];
    if (options.length !== 1) continue;
    const epoch = options[0] as number;
    for (const call of task.leases.get(epoch)?.calls ?? []) {
      if (call.op.outcome !== "ok" || flagged.has(call.op.index) || call.op.invokedAt <= mention.reclaim.completedAt) continue;
      violations.add(
        "E11",
        "holder-accepted-after-reclaim",
        `task ${task.taskId}: ${call.op.op} with epoch ${epoch} (entry #${call.op.index}) succeeded after reclaim #${mention.reclaim.index} had reclaimed that lease`,
        [mention.reclaim.index, call.op.index],
      );
    }
  }
}

/** Epochs whose lease may have been expired and not yet settled or superseded during `reclaim`. */
function reclaimCandidates({ task, firstGrant, supersededAt, clock }: TaskScope, reclaim: Op): number[] {
  const candidates: number[] = [];
  for (const [epoch, grant] of firstGrant) {
    if (grant.claim.invokedAt >= reclaim.completedAt) continue;
    if ((supersededAt.get(epoch)?.at ?? Number.POSITIVE_INFINITY) < reclaim.invokedAt) continue;
    const facts = task.leases.get(epoch) as LeaseFacts;
    const settled = facts.calls.some((call) => call.ends && call.op.outcome === "ok" && call.op.completedAt < reclaim.invokedAt);
    const interrupted = task.interruptions.some((op) => op.outcome === "ok" && op.invokedAt > grant.claim.completedAt && op.completedAt < reclaim.invokedAt);
    if (settled || interrupted) continue;
    if (clock.reach(expiryLowerBound(facts, grant, reclaim.invokedAt)) >= reclaim.completedAt) continue;
    candidates.push(epoch);
  }
  return candidates.sort((a, b) => a - b);
}

/** A maximum matching of items to distinct candidates (augmenting paths; the sets are tiny). */
function maximumMatching(candidates: readonly (readonly number[])[]): (number | null)[] {
  const owner = new Map<number, number>();
  const assigned: (number | null)[] = candidates.map(() => null);
  const augment = (item: number, visited: Set<number>): boolean => {
    for (const candidate of candidates[item] as readonly number[]) {
      if (visited.has(candidate)) continue;
      visited.add(candidate);
      const current = owner.get(candidate);
      if (current === undefined || augment(current, visited)) {
        owner.set(candidate, item);
        assigned[item] = candidate;
        return true;
      }
    }
    return false;
  };
  for (let item = 0; item < candidates.length; item++) augment(item, new Set());
  return assigned;
}

// ---------------------------------------------------------------------------------------------
// Per run: W7, W8

/** A key for an event's identity that ignores member order and negative zero, as JSON does. */
function identity(type: unknown, payload: unknown): string {
  return canonicalText([type, payload]);
}

function checkRun(run: RunFacts, violations: Violations): void {
  const bySequence = new Map<number, { readonly op: Op; readonly key: string }>();
  for (const append of run.acknowledged) {
    const { sequences, events, op } = append;
    const contiguous = sequences.length === events.length && sequences.every((sequence, i) => Number.isSafeInteger(sequence) && sequence >= 1 && sequence === (sequences[0] as number) + i);
    if (!contiguous) {
      violations.add("W7", "batch-not-contiguous", `run ${run.runId}: append #${op.index} of ${events.length} event(s) was acknowledged with sequences [${sequences.join(", ")}]`, [op.index]);
    }
    if (append.expectedSequence !== undefined && sequences[0] !== append.expectedSequence + 1) {
      violations.add(
        "W8",
        "conditional-append-misplaced",
        `run ${run.runId}: append #${op.index} with expectedSequence ${append.expectedSequence} was acknowledged at sequence ${sequences[0] ?? "(none)"}, not ${append.expectedSequence + 1}`,
        [op.index],
      );
    }
    sequences.forEach((sequence, i) => {
      const event = events[i];
      const earlier = bySequence.get(sequence);
      if (earlier) {
        violations.add("W7", "sequence-acknowledged-twice", `run ${run.runId}: sequence ${sequence} was acknowledged to append #${earlier.op.index} and append #${op.index}`, [earlier.op.index, op.index]);
      } else if (event) {
        bySequence.set(sequence, { op, key: identity(event.type, event.payload) });
      }
    });
  }
  const unknownEvents = run.unknown.reduce((sum, append) => sum + append.events.length, 0);
  if (run.reads.length === 0) {
    const highest = Math.max(0, ...bySequence.keys());
    const missing = highest - bySequence.size;
    if (missing > unknownEvents) {
      violations.add(
        "W7",
        "sequence-gap",
        `run ${run.runId}: acknowledged sequences up to ${highest} miss ${missing}, more than the ${unknownEvents} event(s) of appends of unknown outcome`,
        run.acknowledged.map((append) => append.op.index),
      );
    }
  }
  for (const read of run.reads) checkRead(run, read, bySequence, violations);
}

function checkRead(
  run: RunFacts,
  read: RunFacts["reads"][number],
  bySequence: ReadonlyMap<number, { readonly op: Op; readonly key: string }>,
  violations: Violations,
): void {
  const { op, events } = read;
  const gapFree = events.every((event, i) => event.sequence === i + 1);
  if (!gapFree) {
    violations.add("W7", "read-not-gap-free", `run ${run.runId}: read #${op.index} returned sequences [${events.map((event) => event.sequence).slice(0, 20).join(", ")}${events.length > 20 ? ", …" : ""}], not 1..${events.length}`, [op.index]);
  }
  const unknownPool = new Map<string, number>();
  for (const append of run.unknown) {
    for (const event of append.events) {
      const key = identity(event.type, event.payload);
      unknownPool.set(key, (unknownPool.get(key) ?? 0) + 1);
    }
  }
  const present = new Set<number>();
  for (const event of events) {
    present.add(event.sequence);
    const key = identity(event.type, event.payload);
    const acknowledged = bySequence.get(event.sequence);
    if (acknowledged) {
      if (acknowledged.key !== key) {
        violations.add("W7", "acknowledged-event-lost", `run ${run.runId}: read #${op.index} holds at sequence ${event.sequence} an event other than the one append #${acknowledged.op.index} was acknowledged for`, [acknowledged.op.index, op.index]);
      }
      continue;
    }
    const available = unknownPool.get(key) ?? 0;
    if (available > 0) {
      unknownPool.set(key, available - 1);
      continue;
    }
    violations.add("W7", "phantom-event", `run ${run.runId}: read #${op.index} holds at sequence ${event.sequence} an event that no acknowledged or unresolved append wrote`, [op.index]);
  }
  for (const append of run.acknowledged) {
    if (append.op.completedAt >= op.invokedAt) continue;
    const lost = append.sequences.filter((sequence) => !present.has(sequence));
    if (lost.length > 0) {
      violations.add("W7", "acknowledged-event-lost", `run ${run.runId}: read #${op.index} lacks sequences [${lost.join(", ")}] acknowledged to append #${append.op.index} before the read began`, [append.op.index, op.index]);
    }
  }
}

// ---------------------------------------------------------------------------------------------

function statsOf(entries: readonly HistoryEntry[], tasks: ReadonlyMap<string, TaskFacts>, runs: ReadonlyMap<string, RunFacts>): HistoryStats {
  let ok = 0;
  let fail = 0;
  let info = 0;
  for (const entry of entries) {
    if (entry.outcome === "ok") ok++;
    else if (entry.outcome === "fail") fail++;
    else info++;
  }
  let leases = 0;
  let reclaimed = 0;
  for (const task of tasks.values()) {
    for (const facts of task.leases.values()) leases += facts.grants.length;
    reclaimed += task.mentions.length;
  }
  let appendedEvents = 0;
  for (const run of runs.values()) for (const append of run.acknowledged) appendedEvents += append.sequences.length;
  return { entries: entries.length, ok, fail, info, tasks: tasks.size, leases, reclaimed, runs: runs.size, appendedEvents };
}

/**
 * The model of one tenant: its WorkflowStore, StateStore and EngineBackend data, and `commit`,
 * the one operation that spans two of them (SPEC W11).
 */
import type { CommitInput, CommitResult, Limits } from "@mooring/core";
import { CacheModel } from "./cache.js";
import { ok, type Outcome, rejected, valueOf } from "./outcome.js";
import { RunsModel } from "./runs.js";
import { TasksModel } from "./tasks.js";

export class TenantModel {
  readonly runs = new RunsModel();
  readonly cache = new CacheModel();
  readonly tasks: TasksModel;

  constructor(limits: Limits) {
    this.tasks = new TasksModel(limits);
  }

  /**
   * Every check of docs/decisions.md's `commit` order before any write: run exists (NOT_FOUND),
   * lease fence (E5 order, no idempotent repeat), `expectedSequence` (SEQUENCE_CONFLICT), status
   * move (CONFLICT / INVALID_STATE), snapshot `atSequence` (INVALID_STATE beyond the latest
   * sequence after this commit's events), an event id the run has (CONFLICT, W15), a key another
   * run holds (CONFLICT, W15). Then every part is applied: keys before the status, so a terminal
   * status releases the keys claimed `untilTerminal` by this very commit.
   */
  commit(runId: string, input: CommitInput, now: number): Outcome<CommitResult> {
    if (this.runs.getRun(runId) === null) return rejected("NOT_FOUND");
    if (input.lease !== undefined) {
      const fence = this.tasks.checkLease(input.lease, now);
      if (!fence.ok) return fence;
    }
    const latest = this.runs.latestSequence(runId);
    if (input.expectedSequence !== undefined && input.expectedSequence !== latest) return rejected("SEQUENCE_CONFLICT");
    if (input.status !== undefined) {
      const move = this.runs.checkStatusMove(runId, input.status);
      if (!move.ok) return move;
    }
    const events = input.events ?? [];
    const latestAfter = latest + events.length;
    const snapshotAt = input.snapshot?.atSequence ?? latestAfter;
    if (input.snapshot !== undefined && snapshotAt > latestAfter) return rejected("INVALID_STATE");
    if (this.runs.hasEventId(runId, events)) return rejected("CONFLICT");
    if (this.runs.keyHeldByAnother(runId, input.claimKeys ?? []) !== null) return rejected("CONFLICT");

    // Every check passed: each part below succeeds; valueOf throws only on a model bug.
    const sequences = events.length > 0 ? valueOf(this.runs.appendEvents(runId, events, undefined, now)) : [];
    if (input.snapshot !== undefined) valueOf(this.runs.writeSnapshot(runId, { atSequence: snapshotAt, state: input.snapshot.state }, now));
    if (input.context !== undefined) valueOf(this.runs.setContext(runId, input.context, now));
    if (input.claimKeys !== undefined || input.releaseKeys !== undefined) this.runs.applyKeys(runId, input.claimKeys ?? [], input.releaseKeys ?? []);
    if (input.status !== undefined) valueOf(this.runs.setRunStatus(runId, input.status, undefined, now));
    for (const step of input.steps ?? []) valueOf(this.runs.upsertStep(runId, step, now));
    let failure: CommitResult["failure"];
    if (input.settle !== undefined && input.lease !== undefined) {
      if ("complete" in input.settle) {
        valueOf(this.tasks.complete(input.lease, input.settle.complete, now));
      } else {
        failure = valueOf(this.tasks.fail(input.lease, input.settle.fail, now));
      }
    }
    const run = this.runs.getRun(runId);
    if (run === null) throw new Error(`model bug: run ${runId} vanished during commit`);
    return ok({ sequences, latestSequence: this.runs.latestSequence(runId), run, ...(failure ? { failure } : {}) });
  }
}

/**
 * Progress and streams (E18): progress is a fenced write recorded on the task; frames are
 * sequenced per (task, attempt) from 1 and read by attempt, `after` and `limit`; a frame or
 * progress after the lease ended is rejected per E5 and writes nothing.
 */
import type { Frame, ReadFramesOptions } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { advanceTo, claimOne, enqueueTask, ensure, expectTask, rejectsWith, same, show, succeeds } from "../support/index.js";

/** The predictable parts of frames. */
function frameContents(frames: readonly Frame[]): { attempt: number; sequence: number; data: unknown }[] {
  return frames.map((frame) => ({ attempt: frame.attempt, sequence: frame.sequence, data: frame.data }));
}

export const checks: Check[] = [
  defineCheck({
    id: "E18.progress-recorded",
    rule: "E18",
    title: "progress is recorded on the task and the latest one wins; renew may carry it too",
    requires: ["leases", "progress"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      ctx.clock.advance(5);
      await succeeds(engine.progress(lease, { percent: 25, message: "a quarter" }), "progress");
      await expectTask(engine, id, { progress: { percent: 25, message: "a quarter" }, updatedAt: ctx.clock.now() }, "the task after progress");
      await succeeds(engine.progress(lease, { percent: 50.5 }), "a second progress");
      await expectTask(engine, id, { progress: { percent: 50.5 } }, "the task after a second progress");
      await succeeds(engine.renew(lease, { progress: { percent: 80, message: "almost" } }), "renew with progress");
      await expectTask(engine, id, { progress: { percent: 80, message: "almost" }, state: "leased" }, "the task after renew with progress");
      await succeeds(engine.progress(lease, { message: "words only" }), "progress with a message only");
      await expectTask(engine, id, { progress: { message: "words only" } }, "the task after progress with a message only (no percent member)");
    },
  }),
  defineCheck({
    id: "E18.progress-after-lease",
    rule: "E18",
    title: "progress after the lease ended is rejected per E5 and records nothing",
    requires: ["leases", "progress"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      await succeeds(engine.progress(lease, { percent: 10 }), "progress");
      advanceTo(ctx.clock, lease.expiresAt);
      await rejectsWith(engine.progress(lease, { percent: 90 }), "LEASE_EXPIRED", "progress at expiry");
      await expectTask(engine, id, { progress: { percent: 10 } }, "the task after a rejected progress");
    },
  }),
  defineCheck({
    id: "E18.frames-per-attempt",
    rule: "E18",
    title: "frames are numbered from 1 per attempt and read by attempt (default the latest)",
    requires: ["leases", "streams"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, backoff: { baseMs: 1, factor: 1, maxMs: 1 } });
      same(await succeeds(engine.readFrames(id), "readFrames before any frame"), [], "frames of a task never leased");
      const first = await claimOne(engine, queue, { taskId: id });
      const appendedAt = ctx.clock.now();
      const sequences = [
        await succeeds(engine.appendFrame(first, { line: "a" }), "appendFrame a"),
        await succeeds(engine.appendFrame(first, "b"), "appendFrame b"),
        await succeeds(engine.appendFrame(first, [3]), "appendFrame c"),
      ];
      same(sequences, [1, 2, 3], "sequences returned by appendFrame in attempt 1");
      const frames = await succeeds(engine.readFrames(id), "readFrames");
      same(
        frames,
        [
          { taskId: id, attempt: 1, sequence: 1, data: { line: "a" }, createdAt: appendedAt },
          { taskId: id, attempt: 1, sequence: 2, data: "b", createdAt: appendedAt },
          { taskId: id, attempt: 1, sequence: 3, data: [3], createdAt: appendedAt },
        ],
        "frames of attempt 1",
      );
      const retry = await succeeds(engine.fail(first, { error: "again" }), "fail");
      ensure(retry.outcome === "retry", `fail at attempt 1 of 3 must retry, got ${show(retry)}`);
      advanceTo(ctx.clock, retry.runAt);
      const second = await claimOne(engine, queue, { taskId: id });
      same(
        [await succeeds(engine.appendFrame(second, "x"), "appendFrame x"), await succeeds(engine.appendFrame(second, "y"), "appendFrame y")],
        [1, 2],
        "sequences in attempt 2 (start again at 1)",
      );
      same(
        frameContents(await succeeds(engine.readFrames(id), "readFrames of the latest attempt")),
        [
          { attempt: 2, sequence: 1, data: "x" },
          { attempt: 2, sequence: 2, data: "y" },
        ],
        "readFrames without attempt (the latest)",
      );
      same(
        frameContents(await succeeds(engine.readFrames(id, { attempt: 1 }), "readFrames of attempt 1")),
        frameContents(frames),
        "readFrames({ attempt: 1 }) after attempt 2 began",
      );
    },
  }),
  defineCheck({
    id: "E18.read-frames-window",
    rule: "E18",
    title: "readFrames returns frames with sequence > after, ascending, at most limit",
    requires: ["leases", "streams"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      for (let i = 1; i <= 5; i++) await succeeds(engine.appendFrame(lease, i), `appendFrame ${i}`);
      const window = async (options: ReadFramesOptions): Promise<number[]> =>
        (await succeeds(engine.readFrames(id, options), `readFrames(${JSON.stringify(options)})`)).map((frame) => frame.sequence);
      same(await window({ after: 2 }), [3, 4, 5], "readFrames({ after: 2 })");
      same(await window({ limit: 2 }), [1, 2], "readFrames({ limit: 2 })");
      same(await window({ after: 1, limit: 2 }), [2, 3], "readFrames({ after: 1, limit: 2 })");
      same(await window({ after: 5 }), [], "readFrames({ after: 5 })");
      same(await window({ attempt: 1, after: 4 }), [5], "readFrames({ attempt: 1, after: 4 })");
    },
  }),
  defineCheck({
    id: "E18.frames-continue-after-release",
    rule: "E18",
    title: "a release keeps the attempt, so the attempt's stream continues its sequence",
    requires: ["leases", "streams"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const first = await claimOne(engine, queue, { taskId: id });
      same(await succeeds(engine.appendFrame(first, "one"), "appendFrame"), 1, "the first frame");
      await succeeds(engine.release(first), "release");
      const second = await claimOne(engine, queue, { taskId: id });
      same(second.attempt, 1, "attempt after release");
      same(await succeeds(engine.appendFrame(second, "two"), "appendFrame after release"), 2, "the next frame of the same attempt");
    },
  }),
  defineCheck({
    id: "E18.append-after-lease",
    rule: "E18",
    title: "appendFrame after the lease ended (completed, expired) is rejected per E5 and adds no frame",
    requires: ["leases", "streams"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const done = await enqueueTask(engine, { queue });
      const doneLease = await claimOne(engine, queue, { taskId: done });
      await succeeds(engine.appendFrame(doneLease, "before"), "appendFrame");
      await succeeds(engine.complete(doneLease), "complete");
      await rejectsWith(engine.appendFrame(doneLease, "after"), "INVALID_STATE", "appendFrame after complete");
      same(frameContents(await succeeds(engine.readFrames(done), "readFrames")), [{ attempt: 1, sequence: 1, data: "before" }], "frames after a rejected append");

      const expired = await enqueueTask(engine, { queue });
      const expiredLease = await claimOne(engine, queue, { taskId: expired });
      advanceTo(ctx.clock, expiredLease.expiresAt);
      await rejectsWith(engine.appendFrame(expiredLease, "late"), "LEASE_EXPIRED", "appendFrame at expiry");
      same(await succeeds(engine.readFrames(expired, { attempt: 1 }), "readFrames"), [], "frames after a rejected append at expiry");
    },
  }),
];

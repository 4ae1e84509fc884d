/**
 * Checks of bytes where engines keep bytes (SPEC W13): event payloads, run context values, task
 * payloads and results, and stream frames take a `Uint8Array` beside JSON and read it back
 * exactly, as a plain `Uint8Array` (never a Node Buffer: `same` compares prototypes): empty, every
 * byte value, exactly `maxPayloadBytes`, and byte arrays nested inside JSON, next to members that
 * look like whatever encoding a store may use for them.
 */
import { DEFAULTS, type Value, type ValueObject } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { claimOne, enqueueTask, newRun, rejectsWith, same, taskOf } from "../support/index.js";

/** Every byte value once, ascending. */
const EVERY_BYTE = Uint8Array.from({ length: 256 }, (_, index) => index);

/** Each value a store must keep exactly: top-level bytes of every size class, and bytes inside JSON. */
function byteValues(): { readonly name: string; readonly value: Value }[] {
  return [
    { name: "empty bytes", value: new Uint8Array(0) },
    { name: "every byte value 0..255", value: EVERY_BYTE },
    { name: "every byte value descending", value: EVERY_BYTE.slice().reverse() },
    { name: "bytes that are not UTF-8 (0xc3 0x28 0xff 0x00)", value: Uint8Array.of(0xc3, 0x28, 0xff, 0x00) },
    {
      name: "bytes nested inside JSON",
      value: { data: EVERY_BYTE, empty: new Uint8Array(0), list: ["text", Uint8Array.of(0, 1, 2), null, { deeper: Uint8Array.of(255) }], n: 1 },
    },
    {
      name: "JSON that looks like an encoding of bytes",
      value: {
        $bytes: "AAEC",
        $b: "AAEC",
        $$b: "x",
        "$mooring:bytes": "AAEC",
        type: "Buffer",
        data: [1, 2, 3],
        nested: [{ $b: "" }, { $bytes: null }, Uint8Array.of(36, 98)],
      },
    },
    {
      name: "single-member objects shaped like an encoded byte array, beside bytes",
      value: [{ $bytes: "AAEC" }, { $: "", $$bytes: "AAEC" }, { "": { $bytes: "" } }, Uint8Array.of(0, 1, 2)],
    },
    { name: "a single-member object shaped like an encoded byte array, without bytes", value: { $bytes: "AAEC" } },
    { name: "an array of only bytes", value: [Uint8Array.of(1), Uint8Array.of(2, 3)] },
  ];
}

/**
 * A value that weighs exactly `maxPayloadBytes` with its bytes nested in JSON: the size of
 * `{"data":null}` less the four characters of `null`, plus the bytes (core's `valueByteSize`).
 */
function nestedOfSize(size: number): ValueObject {
  return { data: Uint8Array.from({ length: size - '{"data":null}'.length + "null".length }, (_, index) => (index * 7 + 3) % 256) };
}

export const checks: Check[] = [
  defineCheck({
    id: "W13.event-payload-bytes",
    rule: "W13",
    title: "event payloads keep bytes exactly: empty, every byte value, non-UTF-8, nested in JSON, JSON that looks encoded",
    requires: ["runs", "events", "binary"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const run = await newRun(ctx);
      const values = byteValues();
      await workflows.appendEvents(run.id, values.map(({ name, value }) => ({ type: name, payload: value })));
      const events = await workflows.readEvents(run.id);
      for (const [index, { name, value }] of values.entries()) same(events[index]?.payload, value, `readEvents: the payload of ${name}`);
    },
  }),
  defineCheck({
    id: "W13.max-payload-bytes",
    rule: "W13",
    title: "a payload of exactly maxPayloadBytes bytes is accepted and read back whole; one byte more is VALIDATION and writes nothing",
    requires: ["runs", "events", "binary"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const run = await newRun(ctx);
      const largest = Uint8Array.from({ length: DEFAULTS.maxPayloadBytes }, (_, index) => (index * 131 + 7) % 256);
      same(await workflows.appendEvents(run.id, [{ type: "largest", payload: largest }]), [1], `appendEvents of ${DEFAULTS.maxPayloadBytes} bytes`);
      same((await workflows.readEvents(run.id))[0]?.payload, largest, `readEvents: the payload of ${DEFAULTS.maxPayloadBytes} bytes`);
      await rejectsWith(
        workflows.appendEvents(run.id, [{ type: "too-large", payload: new Uint8Array(DEFAULTS.maxPayloadBytes + 1) }]),
        "VALIDATION",
        `appendEvents of ${DEFAULTS.maxPayloadBytes + 1} bytes`,
      );
      same(await workflows.latestSequence(run.id), 1, "latestSequence after the rejected oversized append");
    },
  }),
  defineCheck({
    id: "W13.max-payload-bytes-everywhere",
    rule: "W13",
    title: "task payloads, results, frames and contexts of exactly maxPayloadBytes (bytes alone or nested in JSON) are kept whole; one byte more is VALIDATION",
    requires: ["runs", "leases", "streams", "binary"],
    kind: "example",
    async run(ctx) {
      const { engine, workflows } = ctx.backend;
      const max = DEFAULTS.maxPayloadBytes;
      const largest = Uint8Array.from({ length: max }, (_, index) => (index * 131 + 7) % 256);
      const nested = nestedOfSize(max);
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, payload: largest }, `enqueue with a payload of ${max} bytes`);
      await rejectsWith(engine.enqueue({ queue, payload: nestedOfSize(max + 1) }), "VALIDATION", `enqueue with a payload of ${max + 1} bytes nested in JSON`);
      const lease = await claimOne(engine, queue, { taskId: id }, "claim of the task whose payload is maxPayloadBytes");
      same(lease.payload, largest, `the lease's payload of ${max} bytes`);
      same(await engine.appendFrame(lease, nested), 1, `appendFrame of ${max} bytes nested in JSON`);
      same((await engine.readFrames(id))[0]?.data, nested, `readFrames: the frame of ${max} bytes nested in JSON`);
      await engine.complete(lease, { result: nested });
      same((await taskOf(engine, id)).result, nested, `getTask's result of ${max} bytes nested in JSON`);
      const run = await newRun(ctx);
      same((await workflows.setContext(run.id, nested)).context, nested, `setContext of ${max} bytes nested in JSON`);
      same((await workflows.getRun(run.id))?.context, nested, `getRun's context of ${max} bytes nested in JSON`);
      await rejectsWith(workflows.setContext(run.id, nestedOfSize(max + 1)), "VALIDATION", `setContext of ${max + 1} bytes nested in JSON`);
      same((await workflows.getRun(run.id))?.context, nested, "getRun's context after the rejected setContext");
    },
  }),
  defineCheck({
    id: "W13.context-bytes",
    rule: "W13",
    title: "run context values keep bytes through createRun, setContext, appendToContext and commit",
    requires: ["runs", "commit", "binary"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const initial: ValueObject = { key: EVERY_BYTE, plain: "text" };
      const run = await newRun(ctx, { context: initial });
      same(run.context, initial, "createRun's run.context with bytes");
      same((await workflows.getRun(run.id))?.context, initial, "getRun's context with bytes");
      const replaced: ValueObject = { nested: { bytes: Uint8Array.of(0, 255) }, empty: new Uint8Array(0) };
      same((await workflows.setContext(run.id, replaced)).context, replaced, "setContext with bytes: run.context");
      await workflows.appendToContext(run.id, "chunks", Uint8Array.of(1, 2));
      const appended = await workflows.appendToContext(run.id, "chunks", new Uint8Array(0));
      same(appended.context, { ...replaced, chunks: [Uint8Array.of(1, 2), new Uint8Array(0)] }, "appendToContext of bytes twice: run.context");
      const committed: ValueObject = { last: EVERY_BYTE.slice(100, 120) };
      same((await workflows.commit(run.id, { context: committed })).run.context, committed, "commit with a context holding bytes: run.context");
      same((await workflows.getRun(run.id))?.context, committed, "getRun's context after commit");
    },
  }),
  defineCheck({
    id: "W13.task-bytes",
    rule: "W13",
    title: "task payloads and results keep bytes: enqueue, the lease's payload, complete's result, getTask",
    requires: ["leases", "binary"],
    kind: "example",
    async run(ctx) {
      const { engine } = ctx.backend;
      for (const { name, value } of byteValues()) {
        const queue = ctx.unique("queue");
        const id = await enqueueTask(engine, { queue, payload: value }, `enqueue with ${name}`);
        const lease = await claimOne(engine, queue, { taskId: id }, `claim of the task with ${name}`);
        same(lease.payload, value, `the lease's payload: ${name}`);
        await engine.complete(lease, { result: value });
        const task = await taskOf(engine, id);
        same([task.payload, task.result], [value, value], `getTask's [payload, result]: ${name}`);
      }
    },
  }),
  defineCheck({
    id: "W13.frame-bytes",
    rule: "W13",
    title: "stream frames keep bytes: appendFrame, readFrames",
    requires: ["leases", "streams", "binary"],
    kind: "example",
    async run(ctx) {
      const { engine } = ctx.backend;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      const values = byteValues();
      for (const { value } of values) await engine.appendFrame(lease, value);
      const frames = await engine.readFrames(id);
      for (const [index, { name, value }] of values.entries()) same(frames[index]?.data, value, `readFrames: frame ${index + 1}, ${name}`);
    },
  }),
];

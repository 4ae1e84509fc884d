/**
 * Capability flags (SPEC section 7). Fail-closed: a flag that is missing or false means the
 * backend does not support it, and calling into it throws UNSUPPORTED.
 */

export const CAPABILITY_NAMES = [
  "runs",
  "events",
  "snapshots",
  "commit",
  "kv",
  "kvCas",
  "leases",
  "reclaim",
  "deadLetter",
  "priorities",
  "delays",
  "idempotency",
  "signals",
  "dependencies",
  "queueControl",
  "progress",
  "streams",
  "notifications",
  "subscriptions",
  "tenancy",
  "tokens",
  "serverClock",
  // Version 2 (SPEC section 11).
  /** W12 createRun with events, W14 listing for a UI, W15 event ids and run keys, W16 log wake-ups. */
  "runEvents",
  /** W13 bytes in event payloads, run context values, task payloads and results, stream frames. */
  "binary",
  /** E20 concurrency keys: a per-key lease limit and fair order between keys. */
  "concurrencyKeys",
  /** E21 rate limits: at most `max` leases of a queue per sliding interval. */
  "rateLimits",
  /** E26 operator calls: change a priority, replay a terminal task, list tasks and queues, bulk cancel and retry. */
  "operator",
  /** E25 signed waitpoints: tokens an outside system signals a task with, and secret rotation. */
  "waitpoints",
  /** E28 tailing a stream: `readFrames` that waits for the next frame, and per-attempt summaries. */
  "frameTail",
] as const;

export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

/** What a backend claims to support. Every flag is optional and defaults to unsupported. */
export type Capabilities = { readonly [K in CapabilityName]?: boolean };

/** A frozen capability object: the flags given, every other flag false. */
export function defineCapabilities(flags: Partial<Record<CapabilityName, boolean>>): Readonly<Record<CapabilityName, boolean>> {
  const result = {} as Record<CapabilityName, boolean>;
  for (const name of CAPABILITY_NAMES) result[name] = flags[name] === true;
  return Object.freeze(result);
}

/** Every capability declared. */
export const ALL_CAPABILITIES = defineCapabilities(
  Object.fromEntries(CAPABILITY_NAMES.map((name) => [name, true])) as Record<CapabilityName, boolean>,
);

/**
 * Every capability of contract version 1 (SPEC section 7) declared, and none of version 2: what a
 * backend declares until it implements the version 2 rules, which then read "not declared".
 */
export const V1_CAPABILITIES = defineCapabilities({
  ...ALL_CAPABILITIES,
  runEvents: false,
  binary: false,
  concurrencyKeys: false,
  rateLimits: false,
  waitpoints: false,
  operator: false,
  frameTail: false,
});

/** Whether `capabilities` declares `name` (fail-closed). */
export function hasCapability(capabilities: Capabilities, name: CapabilityName): boolean {
  return capabilities[name] === true;
}

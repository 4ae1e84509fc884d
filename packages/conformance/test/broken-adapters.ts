/**
 * Deliberately broken adapters (SPEC K5). Each wraps a conforming backend and breaks exactly one
 * promise, the way a real adapter got it wrong (SPEC section 10), using only the public API. The
 * kit's self-test asserts that the kit fails each of them and names the broken rule.
 */
import {
  type Backend,
  type ClaimKeyInput,
  type Clock,
  type CreatedToken,
  type EngineBackend,
  type ErrorCode,
  type Json,
  keyHeldDetails,
  type Lease,
  MooringError,
  parseWaitpointToken,
  type StateStore,
  systemClock,
  type TaskEvent,
  TERMINAL_RUN_STATUSES,
  type TokenStore,
  type Unsubscribe,
  type Value,
  type WorkflowStore,
} from "@mooring/core";

/** What one client of a broken adapter shares with the other clients of the same store. */
interface Shared {
  /** The clock the store decides with: the injected one, else the adapter's own. */
  readonly clock: Clock;
  /** Leases this adapter granted, with the view that granted them. */
  readonly granted: { lease: Lease; engine: EngineBackend }[];
  /** Per run: real sequence → the sequence the broken adapter reported. */
  readonly sequenceMaps: Map<string, Map<number, number>>;
  globalSequence: number;
  readonly completed: Set<string>;
  previousReclaim: string[];
  readonly tokens: Map<string, string>;
  /** The real (unbroken) view of every tenant any client has opened. */
  readonly views: Map<string, Backend>;
  readonly executionIds: Set<string>;
  /** Lease ids the adapter handed out in place of the store's, each with the store's. */
  readonly leaseIdAliases: Map<string, string>;
  /** Keys claimed through an adapter that keeps them itself (W15): tenant + key → holder. */
  readonly claimedKeys: Map<string, { runId: string; value: Json; untilTerminal: boolean }>;
  /** Per (queue, concurrencyKey): the tasks whose leases no holder call has ended yet. */
  readonly keyHolds: Map<string, Set<string>>;
  /** Rate limits the adapter keeps itself, per queue, with the grants of the current window. */
  readonly fixedWindows: Map<string, { max: number; perMs: number; windowStart: number; granted: number }>;
}

interface FacetPatch {
  workflows?: Partial<WorkflowStore>;
  state?: Partial<StateStore>;
  engine?: Partial<EngineBackend>;
  tokens?: Partial<TokenStore>;
}

/** Overrides for one view; `view` is the real view, `root` the real root view. */
type Patch = (view: Backend, shared: Shared, root: Backend) => FacetPatch;

export interface BrokenAdapter {
  readonly id: string;
  /** What is broken, in the words of SPEC section 10 or K5. */
  readonly bug: string;
  /** The rules a correct kit must report as failed (at least one of them). */
  readonly rules: readonly string[];
  readonly patch: Patch;
  /** The clock the adapter falls back to when `create` injects none; default the real backend's own. */
  readonly ownClock?: Clock;
  /** The adapter ignores the `namespace` it is created with: every namespace reaches one store. */
  readonly ignoresNamespace?: true;
}

/** What `create` receives: the kit's clock, or undefined for a check on the backend's own clock. */
export interface OpenContext {
  readonly clock: Clock | undefined;
  readonly namespace: string;
}

const is = MooringError.is;
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function wrapView(real: Backend, root: Backend, patch: Patch, shared: Shared): Backend {
  const overrides = patch(real, shared, root);
  const view: Backend = {
    name: real.name,
    capabilities: real.capabilities,
    tenantId: real.tenantId,
    workflows: { ...real.workflows, ...overrides.workflows },
    state: { ...real.state, ...overrides.state },
    engine: { ...real.engine, ...overrides.engine },
    tenants: real.tenants,
    tokens: { ...real.tokens, ...overrides.tokens },
    forTenant: (tenantId) => {
      const other = real.forTenant(tenantId);
      shared.views.set(tenantId, other);
      return wrapView(other, root, patch, shared);
    },
    migrate: () => real.migrate(),
    ping: () => real.ping(),
    close: () => real.close(),
    [Symbol.asyncDispose]: () => real.close(),
  };
  return view;
}

/**
 * Wraps a `create` function so that every backend it makes carries the adapter's bug. Clients made
 * for the same namespace share the adapter's bookkeeping, as clients of one broken store would.
 */
export function breakCreate(
  create: (context: OpenContext) => Promise<Backend>,
  adapter: Pick<BrokenAdapter, "patch" | "ownClock" | "ignoresNamespace">,
): (context: OpenContext) => Promise<Backend> {
  const byNamespace = new Map<string, Shared>();
  return async (context) => {
    const clock = context.clock ?? adapter.ownClock;
    const real = await create({ clock, namespace: adapter.ignoresNamespace ? "one-store-for-all" : context.namespace });
    let shared = byNamespace.get(context.namespace);
    if (!shared) {
      shared = {
        clock: clock ?? systemClock,
        granted: [],
        sequenceMaps: new Map(),
        globalSequence: 0,
        completed: new Set(),
        previousReclaim: [],
        tokens: new Map(),
        views: new Map(),
        executionIds: new Set(),
        leaseIdAliases: new Map(),
        claimedKeys: new Map(),
        keyHolds: new Map(),
        fixedWindows: new Map(),
      };
      byNamespace.set(context.namespace, shared);
    }
    shared.views.set(real.tenantId, real);
    return wrapView(real, real, adapter.patch, shared);
  };
}

/** Records every lease a view grants, for the adapters that misuse old leases. */
function recordingClaim(view: Backend, shared: Shared): EngineBackend["claim"] {
  return async (request) => {
    const leases = await view.engine.claim(request);
    for (const lease of leases) shared.granted.push({ lease, engine: view.engine });
    return leases;
  };
}

/** Swallows the given holder-call errors: the call "succeeds" without the store agreeing. */
function swallowing<A extends unknown[], R>(call: (...args: A) => Promise<R>, codes: readonly string[], fallback: (...args: A) => R) {
  return async (...args: A): Promise<R> => {
    try {
      return await call(...args);
    } catch (error) {
      if (codes.some((code) => is(error, code as never))) return fallback(...args);
      throw error;
    }
  };
}

/**
 * Rethrows `code` errors with the `details` field `from` renamed `to`, as a backend that builds its
 * own details instead of core's shape would (SQLite's NOT_FOUND once said `{ id }`).
 */
function renamingDetail<A extends unknown[], R>(call: (...args: A) => Promise<R>, code: ErrorCode, from: string, to: string) {
  return async (...args: A): Promise<R> => {
    try {
      return await call(...args);
    } catch (error) {
      if (!is(error, code) || error.details === undefined || !Object.hasOwn(error.details, from)) throw error;
      const { [from]: value, ...rest } = error.details;
      throw new MooringError(code, error.message, { details: { ...rest, [to]: value } });
    }
  };
}

/** A value with every byte array replaced by its base64 text, as a store without a bytes type might keep it. */
function bytesAsBase64(value: Value | undefined): Value | undefined {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map((item) => bytesAsBase64(item) as Value);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, bytesAsBase64(member) as Value]));
  return value;
}

/**
 * W15 done with a read before the write: the adapter keeps the tenant's keys itself and checks a
 * claim against them, then commits (the store sees each run's claims under a name of that run's
 * own, so only the adapter's read decides), then records the claim. Between the read and the
 * record, another client's claim of the same key also passes.
 */
const keyCheckedOutsideTransaction: Patch = (view, shared) => {
  const slot = (key: string): string => `${view.tenantId}\u0001${key}`;
  const ownName = (key: string, runId: string): string => `${key}@${runId}`;
  const check = (runId: string, claims: readonly ClaimKeyInput[] | undefined): void => {
    for (const claim of claims ?? []) {
      const holder = shared.claimedKeys.get(slot(claim.key));
      if (holder !== undefined && holder.runId !== runId) {
        throw new MooringError("CONFLICT", `key ${claim.key} is held by run ${holder.runId}`, { details: keyHeldDetails(runId, claim.key, holder.runId) });
      }
    }
  };
  const record = (runId: string, claims: readonly ClaimKeyInput[] | undefined): void => {
    for (const claim of claims ?? []) {
      shared.claimedKeys.set(slot(claim.key), { runId, value: claim.value ?? null, untilTerminal: claim.untilTerminal === true });
    }
  };
  const release = (runId: string, onlyUntilTerminal: boolean): void => {
    for (const [key, holder] of shared.claimedKeys) {
      if (key.startsWith(slot("")) && holder.runId === runId && (!onlyUntilTerminal || holder.untilTerminal)) shared.claimedKeys.delete(key);
    }
  };
  return {
    workflows: {
      commit: async (runId, input) => {
        const { claimKeys, releaseKeys, ...rest } = input;
        check(runId, claimKeys);
        await tick();
        const result = await view.workflows.commit(runId, {
          ...rest,
          ...(claimKeys === undefined ? {} : { claimKeys: claimKeys.map((claim) => ({ ...claim, key: ownName(claim.key, runId) })) }),
          ...(releaseKeys === undefined ? {} : { releaseKeys: releaseKeys.map((key) => ownName(key, runId)) }),
        });
        for (const key of releaseKeys ?? []) if (shared.claimedKeys.get(slot(key))?.runId === runId) shared.claimedKeys.delete(slot(key));
        record(runId, claimKeys);
        if (TERMINAL_RUN_STATUSES.has(result.run.status)) release(runId, true);
        return result;
      },
      createRun: async (input, options) => {
        if (options?.claimKeys === undefined || input.id === undefined) return view.workflows.createRun(input, options);
        const runId = input.id;
        const existing = await view.workflows.getRun(runId);
        if (existing === null || options.ifExists === "replace") check(runId, options.claimKeys);
        await tick();
        const result = await view.workflows.createRun(input, {
          ...options,
          claimKeys: options.claimKeys.map((claim) => ({ ...claim, key: ownName(claim.key, runId) })),
        });
        if (result.created) {
          release(runId, false);
          record(runId, options.claimKeys);
        }
        return result;
      },
      lookupKey: async (key) => {
        const holder = shared.claimedKeys.get(slot(key));
        return holder === undefined ? null : { runId: holder.runId, value: holder.value };
      },
      deleteRun: async (id) => {
        const existed = await view.workflows.deleteRun(id);
        release(id, false);
        return existed;
      },
      setRunStatus: async (id, status, options) => {
        const run = await view.workflows.setRunStatus(id, status, options);
        if (TERMINAL_RUN_STATUSES.has(run.status)) release(id, true);
        return run;
      },
    },
  };
};

/** The map key of one (queue, concurrencyKey). */
const keyOf = (queue: string, key: string): string => `${queue}\u0000${key}`;

/** Forgets `lease` among the key holds once a holder call ended it (or tried to). */
function endingHold<A extends [Lease, ...unknown[]], R>(call: (...args: A) => Promise<R>, shared: Shared) {
  return async (...args: A): Promise<R> => {
    const [lease] = args;
    try {
      return await call(...args);
    } finally {
      if (lease.concurrencyKey !== undefined) shared.keyHolds.get(keyOf(lease.queue, lease.concurrencyKey))?.delete(lease.taskId);
    }
  };
}

export const BROKEN_ADAPTERS: readonly BrokenAdapter[] = [
  {
    id: "unique-key-checked-outside-transaction",
    bug: "a claimed key checked by a read before the write, outside the transaction: concurrent claimers of one key all win (SPEC W15)",
    rules: ["W15"],
    patch: keyCheckedOutsideTransaction,
  },
  {
    id: "event-ids-dropped",
    bug: "event ids not stored: a repeated append is written twice and getEvent finds nothing (SPEC W15)",
    rules: ["W15"],
    patch: (view) => ({
      workflows: {
        appendEvents: (runId, events, options) => view.workflows.appendEvents(runId, events.map(({ id: _id, ...event }) => event), options),
      },
    }),
  },
  {
    id: "create-run-then-append",
    bug: "createRun with events as two writes: a create whose events or keys are refused leaves a run behind (SPEC W12)",
    rules: ["W12"],
    patch: (view) => ({
      workflows: {
        createRun: async (input, options) => {
          if (options?.events === undefined && options?.claimKeys === undefined) return view.workflows.createRun(input, options);
          const { events, claimKeys, ...rest } = options;
          const created = await view.workflows.createRun(input, rest);
          if (!created.created || input.id === undefined) return created;
          await tick();
          const committed = await view.workflows.commit(created.run.id, { ...(events === undefined ? {} : { events }), ...(claimKeys === undefined ? {} : { claimKeys }) });
          return { ...created, run: committed.run, ...(events === undefined ? {} : { sequences: committed.sequences }) };
        },
      },
    }),
  },
  {
    id: "bytes-as-base64",
    bug: "bytes kept as base64 text inside JSON and read back as a string (SPEC W13)",
    rules: ["W13"],
    patch: (view) => ({
      workflows: {
        appendEvents: (runId, events, options) =>
          view.workflows.appendEvents(runId, events.map((event) => (event.payload === undefined ? event : { ...event, payload: bytesAsBase64(event.payload) as Value })), options),
      },
      engine: {
        enqueue: (task) => view.engine.enqueue(task.payload === undefined ? task : { ...task, payload: bytesAsBase64(task.payload) as Value }),
      },
    }),
  },
  {
    id: "double-claim",
    bug: "a double claim: an unexpired lease is handed to a second worker",
    rules: ["E4"],
    patch: (view, shared) => ({
      engine: {
        claim: async (request) => {
          const leases = await recordingClaim(view, shared)(request);
          const now = shared.clock.now();
          for (const { lease } of shared.granted) {
            if (leases.length >= (request.limit ?? 1)) break;
            const again = lease.expiresAt > now && request.queues.includes(lease.queue) && !leases.some((l) => l.taskId === lease.taskId);
            if (again) leases.push({ ...lease, workerId: request.workerId });
          }
          return leases;
        },
      },
    }),
  },
  {
    id: "global-sequence",
    bug: "an in-memory backend with one global counter: per-run sequences with gaps (SPEC §10.2)",
    rules: ["W7"],
    patch: (view, shared) => {
      const mapFor = (runId: string): Map<number, number> => {
        let map = shared.sequenceMaps.get(runId);
        if (!map) shared.sequenceMaps.set(runId, (map = new Map()));
        return map;
      };
      const toReal = (runId: string, reported: number): number => {
        let real = 0;
        for (const [r, f] of mapFor(runId)) if (f <= reported) real = Math.max(real, r);
        return real;
      };
      const toReported = (runId: string, real: number): number => mapFor(runId).get(real) ?? real;
      return {
        workflows: {
          appendEvents: async (runId, events, options) => {
            const expected = options?.expectedSequence;
            const real = await view.workflows.appendEvents(
              runId,
              events,
              expected === undefined ? options : { expectedSequence: toReal(runId, expected) },
            );
            return real.map((sequence) => {
              const reported = ++shared.globalSequence;
              mapFor(runId).set(sequence, reported);
              return reported;
            });
          },
          readEvents: async (runId, options) => {
            const after = options?.after === undefined ? undefined : toReal(runId, options.after);
            const events = await view.workflows.readEvents(runId, { ...options, after });
            return events.map((event) => ({ ...event, sequence: toReported(runId, event.sequence) }));
          },
          latestSequence: async (runId) => toReported(runId, await view.workflows.latestSequence(runId)),
        },
      };
    },
  },
  {
    id: "sequence-outside-transaction",
    bug: "an event sequence computed outside the transaction: concurrent appends collide (SPEC §10.1)",
    rules: ["W7"],
    patch: (view) => ({
      workflows: {
        appendEvents: async (runId, events, options) => {
          if (options?.expectedSequence !== undefined) return view.workflows.appendEvents(runId, events, options);
          const latest = await view.workflows.latestSequence(runId);
          await tick();
          return view.workflows.appendEvents(runId, events, { expectedSequence: latest });
        },
      },
    }),
  },
  {
    id: "expected-sequence-ignored",
    bug: "optimistic concurrency ignored: every writer wins",
    rules: ["W8"],
    patch: (view) => ({
      workflows: { appendEvents: (runId, events) => view.workflows.appendEvents(runId, events) },
    }),
  },
  {
    id: "commit-not-atomic",
    bug: "a commit that appends its events before checking its fence: a rejected commit writes",
    rules: ["W11", "C2"],
    patch: (view) => ({
      workflows: {
        commit: async (runId, input) => {
          if (!input.events) return view.workflows.commit(runId, input);
          const sequences = await view.workflows.appendEvents(runId, input.events);
          const { events: _events, expectedSequence: _expected, ...rest } = input;
          const result = await view.workflows.commit(runId, rest);
          return { ...result, sequences };
        },
      },
    }),
  },
  {
    id: "cross-tenant-read",
    bug: "a view that falls back to another tenant's data (SPEC §10.9)",
    rules: ["T1"],
    patch: (view, _shared, root) =>
      view === root
        ? {}
        : {
            workflows: {
              getRun: async (id) => (await view.workflows.getRun(id)) ?? root.workflows.getRun(id),
              readEvents: async (runId, options) => {
                const own = await view.workflows.readEvents(runId, options);
                return own.length > 0 ? own : root.workflows.readEvents(runId, options);
              },
            },
            engine: { getTask: async (id) => (await view.engine.getTask(id)) ?? root.engine.getTask(id) },
            state: { get: async (key) => (await view.state.get(key)) ?? root.state.get(key) },
          },
  },
  {
    id: "renew-after-expiry",
    bug: "renew accepted after expiry because only the epoch was compared (SPEC §10.7)",
    rules: ["E6", "E5"],
    patch: (view, shared) => ({
      engine: {
        renew: swallowing(view.engine.renew, ["LEASE_EXPIRED"], (lease, options) => ({
          ...lease,
          expiresAt: shared.clock.now() + (options?.leaseMs ?? 30_000),
        })),
      },
    }),
  },
  {
    id: "expiry-keeps-attempt",
    bug: "claim-side expiry that does not consume an attempt: a task that kills its worker runs forever (SPEC §10.5)",
    rules: ["E10"],
    patch: (view, shared) => {
      const requeueExpired = async (): Promise<void> => {
        const now = shared.clock.now();
        for (const entry of [...shared.granted]) {
          if (entry.lease.expiresAt > now) continue;
          shared.granted.splice(shared.granted.indexOf(entry), 1);
          const task = await entry.engine.getTask(entry.lease.taskId);
          if (task?.state === "leased" && task.epoch === entry.lease.epoch) await entry.engine.revokeLease(task.id);
        }
      };
      return {
        engine: {
          claim: async (request) => {
            await requeueExpired();
            return recordingClaim(view, shared)(request);
          },
          reclaimExpired: async (options) => {
            await requeueExpired();
            return view.engine.reclaimExpired(options);
          },
        },
      };
    },
  },
  {
    id: "stale-complete-accepted",
    bug: "complete settled by task id alone: a worker whose lease was reclaimed still completes (SPEC §10.3, §10.6)",
    rules: ["E5", "E7", "E11"],
    patch: (view) => ({
      engine: { complete: swallowing(view.engine.complete, ["STALE_LEASE", "LEASE_EXPIRED"], () => undefined) },
    }),
  },
  {
    id: "forged-fence-accepted",
    bug: "a fence of 0 or a forged epoch accepted for a task that was never claimed (SPEC §10.4)",
    rules: ["E5"],
    patch: (view) => ({
      engine: {
        complete: swallowing(view.engine.complete, ["INVALID_STATE"], () => undefined),
        progress: swallowing(view.engine.progress, ["INVALID_STATE"], () => undefined),
      },
    }),
  },
  {
    id: "leaseId-blind",
    bug: "a fence of (taskId, epoch) alone: a holder who guesses a small epoch settles the task whatever leaseId it presents (SPEC T4)",
    rules: ["T4"],
    patch: (view, shared) => {
      // Every holder call reaches the store with the leaseId the adapter granted for that task and
      // epoch, so the store never sees the forgery: the adapter, not the store, is blind.
      const real = <L extends Lease>(lease: L): L => {
        const granted = shared.granted.find((entry) => entry.lease.taskId === lease.taskId && entry.lease.epoch === lease.epoch);
        return granted === undefined ? lease : { ...lease, leaseId: granted.lease.leaseId };
      };
      return {
        engine: {
          claim: recordingClaim(view, shared),
          renew: (lease, options) => view.engine.renew(real(lease), options),
          complete: (lease, options) => view.engine.complete(real(lease), options),
          fail: (lease, options) => view.engine.fail(real(lease), options),
          release: (lease, options) => view.engine.release(real(lease), options),
          suspend: (lease, input) => view.engine.suspend(real(lease), input),
          progress: (lease, progress) => view.engine.progress(real(lease), progress),
          appendFrame: (lease, data) => view.engine.appendFrame(real(lease), data),
          moveToDeadLetter: (lease, error) => view.engine.moveToDeadLetter(real(lease), error),
        },
        workflows: {
          commit: (runId, input) => view.workflows.commit(runId, input.lease === undefined ? input : { ...input, lease: real(input.lease) }),
        },
      };
    },
  },
  {
    id: "counter-lease-ids",
    bug: "lease ids from a counter: distinct and long enough, but whoever saw one lease can guess the next (SPEC T4)",
    rules: ["T4"],
    patch: (view, shared) => {
      const aliasOf = (real: string): string => {
        for (const [alias, stored] of shared.leaseIdAliases) if (stored === real) return alias;
        const alias = `lease-${String(shared.leaseIdAliases.size + 1).padStart(16, "0")}`;
        shared.leaseIdAliases.set(alias, real);
        return alias;
      };
      const outward = <L extends Lease>(lease: L): L => ({ ...lease, leaseId: aliasOf(lease.leaseId) });
      const inward = <L extends Lease>(lease: L): L => ({ ...lease, leaseId: shared.leaseIdAliases.get(lease.leaseId) ?? lease.leaseId });
      return {
        engine: {
          claim: async (request) => (await view.engine.claim(request)).map(outward),
          renew: async (lease, options) => outward(await view.engine.renew(inward(lease), options)),
          complete: (lease, options) => view.engine.complete(inward(lease), options),
          fail: (lease, options) => view.engine.fail(inward(lease), options),
          release: (lease, options) => view.engine.release(inward(lease), options),
          suspend: (lease, input) => view.engine.suspend(inward(lease), input),
          progress: (lease, progress) => view.engine.progress(inward(lease), progress),
          appendFrame: (lease, data) => view.engine.appendFrame(inward(lease), data),
          moveToDeadLetter: (lease, error) => view.engine.moveToDeadLetter(inward(lease), error),
        },
        workflows: {
          commit: (runId, input) => view.workflows.commit(runId, input.lease === undefined ? input : { ...input, lease: inward(input.lease) }),
        },
      };
    },
  },
  {
    id: "revocation-ignored",
    bug: "a cancelled task's holder keeps writing: revocation is not checked",
    rules: ["E5", "E13"],
    patch: (view) => ({
      engine: {
        complete: swallowing(view.engine.complete, ["LEASE_REVOKED"], () => undefined),
        renew: swallowing(view.engine.renew, ["LEASE_REVOKED"], (lease) => lease),
        progress: swallowing(view.engine.progress, ["LEASE_REVOKED"], () => undefined),
      },
    }),
  },
  {
    id: "complete-not-idempotent",
    bug: "a repeated complete after a transport error is rejected instead of succeeding",
    rules: ["E7"],
    patch: (view, shared) => ({
      engine: {
        complete: async (lease, options) => {
          const key = `${lease.taskId}#${lease.epoch}`;
          if (shared.completed.has(key)) throw new MooringError("INVALID_STATE", "task already completed");
          await view.engine.complete(lease, options);
          shared.completed.add(key);
        },
      },
    }),
  },
  {
    id: "reclaim-counted-twice",
    bug: "an expiry reported by two sweeps",
    rules: ["E11"],
    patch: (view, shared) => ({
      engine: {
        reclaimExpired: async (options) => {
          const result = await view.engine.reclaimExpired(options);
          const retried = [...result.retried, ...shared.previousReclaim.filter((id) => !result.retried.includes(id))];
          shared.previousReclaim = [...result.retried, ...result.deadLettered];
          return { retried, deadLettered: result.deadLettered };
        },
      },
    }),
  },
  {
    id: "release-consumes-attempt",
    bug: "release implemented as a failure: giving a task back burns an attempt",
    rules: ["E9"],
    patch: (view) => ({
      engine: {
        release: async (lease) => {
          await view.engine.fail(lease, { error: "released" });
        },
      },
    }),
  },
  {
    id: "priority-ignored",
    bug: "claim ignores priority and order",
    rules: ["E3"],
    patch: (view) => ({
      engine: {
        claim: async (request) => {
          const limit = request.limit ?? 1;
          const leases = await view.engine.claim({ ...request, limit: Math.min(1000, limit + 5) });
          const kept = leases.slice(-limit);
          for (const lease of leases.slice(0, leases.length - kept.length)) await view.engine.release(lease);
          return kept.reverse();
        },
      },
    }),
  },
  {
    id: "idempotency-ignored",
    bug: "idempotency keys dropped: a retried enqueue creates a second task",
    rules: ["E2"],
    patch: (view) => ({
      engine: {
        enqueue: ({ idempotencyKey: _key, ...task }) => view.engine.enqueue(task),
        enqueueMany: (tasks) => view.engine.enqueueMany(tasks.map(({ idempotencyKey: _key, ...task }) => task)),
      },
    }),
  },
  {
    id: "pause-ignored",
    bug: "a paused queue still grants leases",
    rules: ["E17"],
    patch: (view) => ({
      engine: {
        claim: async (request) => {
          const paused: string[] = [];
          for (const queue of request.queues) {
            if ((await view.engine.queueStats(queue)).paused) {
              paused.push(queue);
              await view.engine.setQueue(queue, { paused: false });
            }
          }
          try {
            return await view.engine.claim(request);
          } finally {
            for (const queue of paused) await view.engine.setQueue(queue, { paused: true });
          }
        },
      },
    }),
  },
  {
    id: "ttl-ignored",
    bug: "a TTL ignored: expired keys stay readable",
    rules: ["S2"],
    patch: (view) => ({
      state: {
        set: (key, value) => view.state.set(key, value),
        setIfAbsent: (key, value) => view.state.setIfAbsent(key, value),
      },
    }),
  },
  {
    id: "snapshot-keeps-caller-object",
    bug: "an in-process snapshot cache that keeps the caller's state object: latestSnapshot returns it, so the caller's later mutations show",
    rules: ["W10"],
    patch: (view) => {
      const kept = new Map<string, { atSequence: number; state: unknown }>();
      return {
        workflows: {
          writeSnapshot: async (runId, snapshot) => {
            const record = await view.workflows.writeSnapshot(runId, snapshot);
            const latest = kept.get(runId);
            if (!latest || latest.atSequence <= snapshot.atSequence) kept.set(runId, { atSequence: snapshot.atSequence, state: snapshot.state });
            return record;
          },
          latestSnapshot: async (runId) => {
            const record = await view.workflows.latestSnapshot(runId);
            const latest = kept.get(runId);
            return record && latest && latest.atSequence === record.atSequence ? ({ ...record, state: latest.state } as typeof record) : record;
          },
        },
      };
    },
  },
  {
    id: "namespace-ignored",
    bug: "the namespace option ignored: two deployments on one server share their data",
    rules: ["T1"],
    ignoresNamespace: true,
    patch: () => ({}),
  },
  {
    id: "padded-keys",
    bug: "keys compared by a padded collation (MySQL/MariaDB PAD SPACE): set(\"a \") overwrites \"a\"",
    rules: ["S2"],
    patch: (view) => {
      const padded = (key: string): string => key.replace(/ +$/, "");
      return {
        state: {
          set: (key, value, options) => view.state.set(padded(key), value, options),
          get: (key) => view.state.get(padded(key)),
          exists: (key) => view.state.exists(padded(key)),
          delete: (key) => view.state.delete(padded(key)),
          setIfAbsent: (key, value, options) => view.state.setIfAbsent(padded(key), value, options),
          compareAndSet: (key, expected, next, options) => view.state.compareAndSet(padded(key), expected, next, options),
        },
      };
    },
  },
  {
    id: "execution-state-overreach",
    bug: "deleteExecutionState by a naive prefix: deleting execution 'a' also deletes 'ab'",
    rules: ["S4"],
    patch: (view, shared) => ({
      state: {
        set: async (key, value, options) => {
          const match = /^mooring\/exec\/\d+\/(.*)\/[^/]*$/s.exec(key);
          if (match?.[1]) shared.executionIds.add(match[1]);
          return view.state.set(key, value, options);
        },
        saveSnapshot: async (snapshot) => {
          shared.executionIds.add(snapshot.executionId);
          return view.state.saveSnapshot(snapshot);
        },
        deleteExecutionState: async (executionId) => {
          let removed = 0;
          for (const other of shared.executionIds) {
            if (other.startsWith(executionId)) removed += await view.state.deleteExecutionState(other);
          }
          return removed;
        },
      },
    }),
  },
  {
    id: "subscription-crosstalk",
    bug: "two consumers on one key space receiving each other's subscription events (SPEC §10.11)",
    rules: ["E19", "T1"],
    patch: (view, shared) => ({
      engine: {
        subscribe: async (filter, onEvent: (event: TaskEvent) => void) => {
          const stops: Unsubscribe[] = [await view.engine.subscribe(filter, onEvent)];
          for (const [tenantId, other] of shared.views) {
            if (tenantId !== view.tenantId) stops.push(await other.engine.subscribe(filter, onEvent));
          }
          return () => stops.forEach((stop) => stop());
        },
      },
    }),
  },
  {
    id: "plaintext-token-listed",
    bug: "plaintext tokens kept beside their metadata (SPEC §10.12)",
    rules: ["T3"],
    patch: (view, shared) => ({
      tokens: {
        create: async (input): Promise<CreatedToken> => {
          const created = await view.tokens.create(input);
          shared.tokens.set(created.info.id, created.token);
          return created;
        },
        list: async () => (await view.tokens.list()).map((info) => ({ ...info, secret: shared.tokens.get(info.id) ?? null })),
      },
    }),
  },
  {
    id: "own-clock-in-seconds",
    bug: "without an injected clock, the server's TIME read as milliseconds when it is seconds",
    rules: ["C3"],
    patch: () => ({}),
    ownClock: { now: () => Math.floor(Date.now() / 1000) },
  },
  {
    id: "validation-skipped",
    bug: "input validation skipped: an empty key reads as absent instead of being rejected",
    rules: ["C1"],
    patch: (view) => ({
      state: { get: swallowing(view.state.get, ["VALIDATION"], () => null) },
      workflows: { getRun: swallowing(view.workflows.getRun, ["VALIDATION"], () => null) },
      engine: { getTask: swallowing(view.engine.getTask, ["VALIDATION"], () => null) },
    }),
  },
  {
    id: "not-found-details-renamed",
    bug: "a NOT_FOUND for an absent run with its id under `id` instead of core's `{ runId }` (SPEC C4, C6)",
    rules: ["C6"],
    patch: (view) => ({
      workflows: {
        setRunStatus: renamingDetail(view.workflows.setRunStatus, "NOT_FOUND", "runId", "id"),
        setContext: renamingDetail(view.workflows.setContext, "NOT_FOUND", "runId", "id"),
        appendToContext: renamingDetail(view.workflows.appendToContext, "NOT_FOUND", "runId", "id"),
        upsertStep: renamingDetail(view.workflows.upsertStep, "NOT_FOUND", "runId", "id"),
        appendEvents: renamingDetail(view.workflows.appendEvents, "NOT_FOUND", "runId", "id"),
        writeSnapshot: renamingDetail(view.workflows.writeSnapshot, "NOT_FOUND", "runId", "id"),
        commit: renamingDetail(view.workflows.commit, "NOT_FOUND", "runId", "id"),
      },
    }),
  },
  {
    id: "key-limit-counts-expired",
    bug: "a key limit counted over every lease not yet ended by its holder, expired ones included",
    rules: ["E20"],
    patch: (view, shared) => ({
      engine: {
        claim: async (request) => {
          const leases = await view.engine.claim(request);
          const kept = [];
          const limits = new Map<string, number | undefined>();
          for (const lease of leases) {
            const key = lease.concurrencyKey;
            if (key === undefined) {
              kept.push(lease);
              continue;
            }
            if (!limits.has(lease.queue)) limits.set(lease.queue, (await view.engine.queueStats(lease.queue)).keyConcurrency);
            const limit = limits.get(lease.queue);
            let holds = shared.keyHolds.get(keyOf(lease.queue, key));
            if (!holds) shared.keyHolds.set(keyOf(lease.queue, key), (holds = new Set()));
            if (limit !== undefined && holds.size >= limit) {
              await view.engine.release(lease);
              continue;
            }
            holds.add(lease.taskId);
            kept.push(lease);
          }
          return kept;
        },
        complete: endingHold(view.engine.complete, shared),
        fail: endingHold(view.engine.fail, shared),
        release: endingHold(view.engine.release, shared),
        moveToDeadLetter: endingHold(view.engine.moveToDeadLetter, shared),
        suspend: endingHold(view.engine.suspend, shared),
      },
    }),
  },
  {
    id: "fairness-by-key-name",
    bug: "keys served in the order of their names instead of least recently granted first",
    rules: ["E20"],
    patch: (view) => ({
      engine: {
        claim: async (request) => {
          const limit = request.limit ?? 1;
          const leases = await view.engine.claim({ ...request, limit: Math.min(1000, limit + 20) });
          const byName = [...leases].sort((a, b) => ((a.concurrencyKey ?? "\uffff") < (b.concurrencyKey ?? "\uffff") ? -1 : 1));
          const kept = byName.slice(0, limit);
          for (const lease of byName.slice(limit)) await view.engine.release(lease);
          return kept;
        },
      },
    }),
  },
  {
    id: "rate-window-fixed",
    bug: "a rate limit counted in fixed windows that reset at each multiple of perMs instead of sliding",
    rules: ["E21"],
    patch: (view, shared) => {
      const windowOf = (queue: string) => {
        const window = shared.fixedWindows.get(queue);
        if (!window) return undefined;
        const start = Math.floor(shared.clock.now() / window.perMs) * window.perMs;
        if (start !== window.windowStart) Object.assign(window, { windowStart: start, granted: 0 });
        return window;
      };
      const withLimit = <T extends { queue: string }>(settings: T): T => {
        const window = shared.fixedWindows.get(settings.queue);
        return window ? { ...settings, rateLimit: { max: window.max, perMs: window.perMs } } : settings;
      };
      return {
        engine: {
          setQueue: async (queue, { rateLimit, ...settings }) => {
            if (rateLimit === null) shared.fixedWindows.delete(queue);
            else if (rateLimit !== undefined) shared.fixedWindows.set(queue, { ...rateLimit, windowStart: -1, granted: 0 });
            return withLimit(await view.engine.setQueue(queue, settings));
          },
          queueStats: async (queue) => {
            const stats = withLimit(await view.engine.queueStats(queue));
            const window = windowOf(queue);
            return window && window.granted >= window.max && stats.counts.ready > 0 ? { ...stats, nextGrantAt: window.windowStart + window.perMs } : stats;
          },
          claim: async (request) => {
            const leases = await view.engine.claim(request);
            const kept = [];
            for (const lease of leases) {
              const window = windowOf(lease.queue);
              if (window && window.granted >= window.max) {
                await view.engine.release(lease);
                continue;
              }
              if (window) window.granted++;
              kept.push(lease);
            }
            return kept;
          },
        },
      };
    },
  },
  {
    id: "tail-without-wait",
    bug: "readFrames ignores waitMs: a tail returns at once with nothing, so a reader polls instead of being woken",
    rules: ["E28"],
    patch: (view) => ({
      engine: {
        readFrames: (taskId, options) => view.engine.readFrames(taskId, { ...options, waitMs: 0 }),
      },
    }),
  },
  {
    id: "waitpoint-delivers-every-use",
    bug: "a repeat of a delivered waitpoint token signals its key again instead of answering duplicate",
    rules: ["E25"],
    patch: (view) => ({
      engine: {
        signal: async (input) => {
          const result = await view.engine.signal(input);
          const claims = input.token === undefined ? null : parseWaitpointToken(input.token)?.claims;
          if (!result.duplicate || !claims) return result;
          return view.engine.signal({ key: claims.key, payload: input.payload ?? null });
        },
      },
    }),
  },
  {
    id: "waitpoint-token-as-key-signal",
    bug: "signal with a token reads the key from the token without verifying it and signals every task on that key",
    rules: ["E25"],
    patch: (view) => ({
      engine: {
        signal: async (input) => {
          const claims = input.token === undefined ? null : parseWaitpointToken(input.token)?.claims;
          if (input.token === undefined) return view.engine.signal(input);
          if (!claims) throw new MooringError("UNAUTHORIZED", "malformed waitpoint token", { details: { reason: "malformed" } });
          return view.engine.signal({ key: claims.key, payload: input.payload ?? null });
        },
      },
    }),
  },
  {
    id: "expired-waitpoint-accepted",
    bug: "an expired waitpoint token still delivers (the expiry is not checked)",
    rules: ["E25"],
    patch: (view) => ({
      engine: {
        signal: async (input) => {
          try {
            return await view.engine.signal(input);
          } catch (error) {
            const claims = input.token === undefined ? null : parseWaitpointToken(input.token)?.claims;
            if (!claims || !MooringError.is(error, "UNAUTHORIZED") || error.details.reason !== "expired") throw error;
            return view.engine.signal({ key: claims.key, payload: input.payload ?? null });
          }
        },
      },
    }),
  },
  {
    id: "rotation-without-grace",
    bug: "rotateWaitpointSecret ignores graceMs: tokens of the previous secret stop verifying at once",
    rules: ["E25"],
    patch: (view) => ({
      engine: {
        rotateWaitpointSecret: () => view.engine.rotateWaitpointSecret({ graceMs: 0 }),
      },
    }),
  },
  {
    id: "change-priority-ignored",
    bug: "changePriority answers success and changes nothing",
    rules: ["E26"],
    patch: () => ({ engine: { changePriority: async () => undefined } }),
  },
  {
    id: "replays-not-counted",
    bug: "getTask never reports replays",
    rules: ["E26"],
    patch: (view) => ({
      engine: {
        getTask: async (taskId) => {
          const task = await view.engine.getTask(taskId);
          if (task === null || task.replays === undefined) return task;
          const { replays: _dropped, ...rest } = task;
          return rest;
        },
      },
    }),
  },
  {
    id: "list-tasks-ignores-order",
    bug: "listTasks walks in enqueue order even when asked for newest first",
    rules: ["E26"],
    patch: (view) => ({ engine: { listTasks: (request) => view.engine.listTasks({ ...request, order: "asc" }) } }),
  },
  {
    id: "bulk-cancel-ignores-limit",
    bug: "cancelTasks cancels every matching task whatever its limit",
    rules: ["E26"],
    patch: (view) => ({ engine: { cancelTasks: (filter, options) => view.engine.cancelTasks(filter, { ...options, limit: 1000 }) } }),
  },
  {
    id: "summary-of-latest-attempt-only",
    bug: "getSummary ignores the attempt asked for and reads the latest attempt's summary",
    rules: ["E28"],
    patch: (view) => ({
      engine: {
        getSummary: (taskId) => view.engine.getSummary(taskId),
      },
    }),
  },
];

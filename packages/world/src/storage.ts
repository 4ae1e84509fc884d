/**
 * The World's `Storage` (runs, steps, events, hooks) on a Mooring backend. Reads go through the
 * run's state (`run-state.ts`) and its log; every write is `events.create` (`events-storage.ts`).
 *
 * Lists: runs newest first by default (W14 `order: "desc"`, the cursor is Mooring's); events in
 * log order (W9, W14 `before`/`order`), the cursor a sequence; steps and hooks of one run sorted
 * in memory from its state, the cursor an id; hooks of every run gathered from the active runs.
 */
import { MAX_LIMIT, type RunRecord } from "@mooring/core";
import { HookNotFoundError, WorkflowRunNotFoundError, WorkflowWorldError } from "@workflow/errors";
import type {
  Event,
  GetEventParams,
  Hook,
  ListEventsByCorrelationIdParams,
  ListEventsParams,
  ListHooksParams,
  ListWorkflowRunStepsParams,
  ListWorkflowRunsParams,
  PaginatedResponse,
  PaginationOptions,
  ResolveData,
  Step,
  Storage,
  WorkflowRun,
} from "@workflow/world";
import { hookEntity, runEntity, stepEntity } from "./entities.js";
import { createEventsStorage } from "./events-storage.js";
import { type RunState, stateFromContext } from "./run-state.js";
import { readEvent, runKey, toWorldEvent, type WorldStore } from "./store.js";

const DEFAULT_RUNS_LIMIT = 20;
const DEFAULT_EVENTS_LIMIT = 100;

function limitOf(pagination: PaginationOptions | undefined, fallback: number): number {
  const limit = pagination?.limit ?? fallback;
  return Math.max(1, Math.min(MAX_LIMIT - 1, Math.floor(limit)));
}

export function createStorage(store: WorldStore): Storage {
  const workflows = store.backend.workflows;

  async function loadRun(runId: string): Promise<{ record: RunRecord; state: RunState } | null> {
    const record = await workflows.getRun(runId);
    if (!record) return null;
    const state = stateFromContext(record.context, store.bytes);
    return state ? { record, state } : null;
  }

  async function requireRun(runId: string): Promise<{ record: RunRecord; state: RunState }> {
    const loaded = await loadRun(runId);
    if (!loaded) throw new WorkflowRunNotFoundError(runId);
    return loaded;
  }

  const runs = {
    async get(id: string, params?: { resolveData?: ResolveData }): Promise<WorkflowRun> {
      const { record, state } = await requireRun(id);
      return runEntity(store, id, record, state, params?.resolveData ?? "all");
    },
    async list(params?: ListWorkflowRunsParams): Promise<PaginatedResponse<WorkflowRun>> {
      const page = await workflows.listRuns({
        limit: limitOf(params?.pagination, DEFAULT_RUNS_LIMIT),
        order: params?.pagination?.sortOrder ?? "desc",
        ...(params?.pagination?.cursor ? { cursor: params.pagination.cursor } : {}),
        ...(params?.workflowName ? { workflowId: params.workflowName } : {}),
        ...(params?.status ? { status: params.status } : {}),
      });
      const data: WorkflowRun[] = [];
      for (const record of page.items) {
        const state = stateFromContext(record.context, store.bytes);
        if (state) data.push(await runEntity(store, record.id, record, state, params?.resolveData ?? "all"));
      }
      return { data, cursor: page.cursor, hasMore: page.cursor !== null };
    },
  } as Storage["runs"];

  const steps = {
    async get(runId: string, stepId: string, params?: { resolveData?: ResolveData }): Promise<Step> {
      const { state } = await requireRun(runId);
      const step = state.steps[stepId];
      if (!step) throw new WorkflowWorldError(`Step not found: ${stepId}`);
      return stepEntity(store, runId, stepId, step, params?.resolveData ?? "all");
    },
    async list(params: ListWorkflowRunStepsParams): Promise<PaginatedResponse<Step>> {
      const loaded = await loadRun(params.runId);
      const ids = Object.keys(loaded?.state.steps ?? {});
      const { page, cursor, hasMore } = pageOfIds(ids, params.pagination);
      const data = await Promise.all(page.map((id) => stepEntity(store, params.runId, id, loaded!.state.steps[id]!, params.resolveData ?? "all")));
      return { data, cursor, hasMore };
    },
  } as Storage["steps"];

  const events: Storage["events"] = {
    ...createEventsStorage(store),
    async get(runId: string, eventId: string, params?: GetEventParams): Promise<Event> {
      const record = await readEvent(store, runId, eventId);
      if (!record) throw new WorkflowWorldError(`Event not found: ${eventId}`);
      return toWorldEvent(store, record, params?.resolveData ?? "all");
    },
    async list(params: ListEventsParams): Promise<PaginatedResponse<Event>> {
      return listRunEvents(params.runId, params.pagination, params.resolveData ?? "all");
    },
    async listByCorrelationId(params: ListEventsByCorrelationIdParams): Promise<PaginatedResponse<Event>> {
      const holder = await workflows.lookupKey(runKey("correlation", params.correlationId));
      if (!holder) return { data: [], cursor: null, hasMore: false };
      return listCorrelatedEvents(holder.runId, params.correlationId, params.pagination, params.resolveData ?? "all");
    },
  } as Storage["events"];

  function cursorPosition(pagination: PaginationOptions | undefined): number | null {
    if (!pagination?.cursor) return null;
    const position = Number(pagination.cursor);
    if (!Number.isSafeInteger(position) || position < 0) throw new WorkflowWorldError(`Invalid events cursor: ${pagination.cursor}`);
    return position;
  }

  /** A page of the run's log: one read of `limit + 1` events in the page's order (W9, W14). */
  async function listRunEvents(runId: string, pagination: PaginationOptions | undefined, resolveData: ResolveData): Promise<PaginatedResponse<Event>> {
    const limit = limitOf(pagination, DEFAULT_EVENTS_LIMIT);
    const position = cursorPosition(pagination);
    const records = await workflows.readEvents(runId, {
      limit: limit + 1,
      ...(pagination?.sortOrder === "desc" ? { order: "desc" as const, ...(position !== null ? { before: position } : {}) } : { after: position ?? 0 }),
    });
    const page = records.slice(0, limit);
    const last = page.at(-1);
    return { data: page.map((record) => toWorldEvent(store, record, resolveData)), cursor: last ? String(last.sequence) : null, hasMore: records.length > limit };
  }

  /** A page of the events of one correlation id: the run's log read whole and filtered. */
  async function listCorrelatedEvents(runId: string, correlationId: string, pagination: PaginationOptions | undefined, resolveData: ResolveData): Promise<PaginatedResponse<Event>> {
    const limit = limitOf(pagination, DEFAULT_EVENTS_LIMIT);
    const position = cursorPosition(pagination);
    const desc = pagination?.sortOrder === "desc";
    const matching = (await workflows.readEvents(runId, desc ? { order: "desc" } : {}))
      .filter((record) => position === null || (desc ? record.sequence < position : record.sequence > position))
      .map((record) => ({ sequence: record.sequence, event: toWorldEvent(store, record, resolveData) }))
      .filter(({ event }) => event.correlationId === correlationId);
    const page = matching.slice(0, limit);
    const last = page.at(-1);
    return { data: page.map(({ event }) => event), cursor: last ? String(last.sequence) : null, hasMore: matching.length > limit };
  }

  const hooks = {
    async get(hookId: string, params?: { resolveData?: ResolveData }): Promise<Hook> {
      const holder = await workflows.lookupKey(runKey("correlation", hookId));
      const loaded = holder ? await loadRun(holder.runId) : null;
      const hook = loaded?.state.hooks[hookId];
      if (!holder || !hook) throw new HookNotFoundError(hookId);
      return hookEntity(store, holder.runId, hookId, hook, params?.resolveData ?? "all");
    },
    async getByToken(token: string, params?: { resolveData?: ResolveData }): Promise<Hook> {
      const holder = await workflows.lookupKey(runKey("hook-token", token));
      const hookId = typeof holder?.value === "string" ? holder.value : null;
      const loaded = holder ? await loadRun(holder.runId) : null;
      const hook = hookId ? loaded?.state.hooks[hookId] : undefined;
      if (!holder || !hookId || !hook || hook.token !== token) throw new HookNotFoundError(token);
      return hookEntity(store, holder.runId, hookId, hook, params?.resolveData ?? "all");
    },
    async list(params: ListHooksParams): Promise<PaginatedResponse<Hook>> {
      const live = params.runId ? hooksOf(params.runId, (await loadRun(params.runId))?.state) : await liveHooks();
      const byId = new Map(live.map((entry) => [entry.id, entry]));
      const { page, cursor, hasMore } = pageOfIds([...byId.keys()], params.pagination);
      const data = await Promise.all(
        page.map((id) => {
          const { runId, hook } = byId.get(id)!;
          return hookEntity(store, runId, id, hook, params.resolveData ?? "all");
        }),
      );
      return { data, cursor, hasMore };
    },
  } as Storage["hooks"];

  /**
   * Every live hook of every run. A hook lives only while its run has not ended (its token's key is
   * released by the run's terminal event), so this walks the pending and running runs, one
   * listing page at a time: a cost in the number of active runs, paid by each page of an unfiltered
   * `hooks.list`, which operators and tests call, not the runtime's hot path.
   */
  async function liveHooks(): Promise<LiveHook[]> {
    const found: LiveHook[] = [];
    for (const status of ["pending", "running"] as const) {
      let cursor: string | null = null;
      do {
        const page = await workflows.listRuns({ status, limit: MAX_LIMIT, ...(cursor ? { cursor } : {}) });
        for (const record of page.items) found.push(...hooksOf(record.id, stateFromContext(record.context, store.bytes)));
        cursor = page.cursor;
      } while (cursor);
    }
    return found;
  }

  return { runs, steps, events, hooks };
}

interface LiveHook {
  readonly runId: string;
  readonly id: string;
  readonly hook: RunState["hooks"][string];
}

function hooksOf(runId: string, state: RunState | null | undefined): LiveHook[] {
  return Object.entries(state?.hooks ?? {}).map(([id, hook]) => ({ runId, id, hook }));
}

/**
 * One page of a run's step or hook ids. Ids are ULIDs with a prefix, so their order is creation
 * order; newest first unless `sortOrder` is `"asc"`. The cursor is the last id of the page.
 */
function pageOfIds(ids: string[], pagination: PaginationOptions | undefined): { page: string[]; cursor: string | null; hasMore: boolean } {
  const asc = pagination?.sortOrder === "asc";
  const sorted = [...ids].sort();
  if (!asc) sorted.reverse();
  const after = pagination?.cursor;
  const start = after === undefined ? 0 : sorted.findIndex((id) => (asc ? id > after : id < after));
  const from = start === -1 ? sorted.length : start;
  const limit = limitOf(pagination, DEFAULT_RUNS_LIMIT);
  const page = sorted.slice(from, from + limit);
  const hasMore = from + limit < sorted.length;
  return { page, cursor: page.at(-1) ?? null, hasMore };
}

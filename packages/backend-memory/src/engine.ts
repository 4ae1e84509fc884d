/**
 * EngineBackend of the memory backend (SPEC E1–E19): the facet over one tenant's `TaskSpace`.
 * Each call reads the clock once, runs the state machine synchronously (so it is atomic and
 * serialized with every other client of the store), then announces what it changed to waiters and
 * subscribers of the same tenant.
 */
import {
  type CancelTasksOptions,
  cancelEach,
  type ClaimInput,
  type CompleteOptions,
  type CreatedWaitpoint,
  type CreateWaitpointInput,
  DEFAULTS,
  type EngineBackend,
  type EnqueueInput,
  type EnqueueResult,
  type FailOptions,
  type FailResult,
  type Frame,
  type GetSummaryOptions,
  type Json,
  type Value,
  type Lease,
  type ListDeadLettersRequest,
  type ListTasksRequest,
  type PageRequest,
  type ReplayOptions,
  type RetryDeadLettersRequest,
  retryEachDeadLetter,
  type TaskFilter,
  MooringError,
  tenantSuspendedDetails,
  type Page,
  type Progress,
  type QueueSettings,
  type QueueSettingsInput,
  type QueueStats,
  type ReadFramesOptions,
  type ReclaimOptions,
  type ReclaimResult,
  type ReleaseOptions,
  type RenewOptions,
  type RetryDeadLetterOptions,
  type RotatedWaitpointSecret,
  type RotateWaitpointSecretOptions,
  type SignalInput,
  type SignalResult,
  type SubscribeFilter,
  type SuspendInput,
  type SuspendResult,
  type TaskEvent,
  type TaskRecord,
  type TaskSummary,
  type Unsubscribe,
  type WaitForWorkOptions,
  type WaitpointInfo,
} from "@mooring/core";
import type { FacetContext } from "./context.js";
import { Effects, framesTopic, type WorkProbe } from "./notifications.js";
import type { TaskSpace } from "./tasks.js";
import type { TenantRegistry } from "./tenants.js";

const NOTHING_CLAIMABLE: WorkProbe = Object.freeze({ claimable: false, dueAt: null });

export class MemoryEngine implements EngineBackend {
  readonly #context: FacetContext;
  readonly #tasks: TaskSpace;
  readonly #tenants: TenantRegistry;

  constructor(context: FacetContext, tenants: TenantRegistry) {
    this.#context = context;
    this.#tasks = context.tasks;
    this.#tenants = tenants;
  }

  async enqueue(task: EnqueueInput): Promise<EnqueueResult> {
    return this.#enqueue([task])[0] as EnqueueResult;
  }

  async enqueueMany(tasks: readonly EnqueueInput[]): Promise<EnqueueResult[]> {
    return this.#enqueue(tasks);
  }

  async claim(request: ClaimInput): Promise<Lease[]> {
    this.#assertActive("claim leases");
    return this.#run((now, fx) =>
      this.#tasks.claim(request.queues, request.workerId, request.leaseMs, request.limit ?? DEFAULTS.claimLimit, now, fx),
    );
  }

  async renew(lease: Lease, options: RenewOptions = {}): Promise<Lease> {
    return this.#run((now) => this.#tasks.renew(lease, options.leaseMs, options.progress, now));
  }

  async complete(lease: Lease, options: CompleteOptions = {}): Promise<void> {
    this.#run((now, fx) => this.#tasks.complete(lease, options.result, now, fx));
  }

  async fail(lease: Lease, options: FailOptions): Promise<FailResult> {
    return this.#run((now, fx) => this.#tasks.fail(lease, options.error, options.retryable, now, fx));
  }

  async release(lease: Lease, options: ReleaseOptions = {}): Promise<void> {
    this.#run((now, fx) => this.#tasks.release(lease, options.runAt, now, fx));
  }

  async reclaimExpired(options: ReclaimOptions = {}): Promise<ReclaimResult> {
    return this.#run((now, fx) => this.#tasks.reclaimExpired(options.limit ?? DEFAULTS.reclaimLimit, now, fx));
  }

  async listDeadLetters(request: ListDeadLettersRequest): Promise<Page<TaskRecord>> {
    return this.#tasks.listDeadLetters(request);
  }

  async retryDeadLetter(taskId: string, options: RetryDeadLetterOptions = {}): Promise<void> {
    this.#run((now, fx) => this.#tasks.retryDeadLetter(taskId, options.resetAttempts ?? false, now, fx));
  }

  async moveToDeadLetter(lease: Lease, error: Json): Promise<void> {
    this.#run((now, fx) => this.#tasks.moveToDeadLetter(lease, error, now, fx));
  }

  async cancel(taskId: string, reason?: string): Promise<boolean> {
    return this.#run((now, fx) => this.#tasks.cancel(taskId, reason, now, fx));
  }

  async revokeLease(taskId: string): Promise<boolean> {
    return this.#run((now, fx) => this.#tasks.revokeLease(taskId, now, fx));
  }

  async getTask(taskId: string): Promise<TaskRecord | null> {
    return this.#tasks.getTask(taskId, this.#context.clock.now());
  }

  async suspend(lease: Lease, input: SuspendInput): Promise<SuspendResult> {
    return this.#run((now, fx) => this.#tasks.suspend(lease, input, now, fx));
  }

  async signal(input: SignalInput): Promise<SignalResult> {
    const { settings, tenantId } = this.#context;
    if (input.token !== undefined) return this.#run((now, fx) => this.#tasks.signalByToken(input, tenantId, now, settings, fx));
    return this.#run((now, fx) => this.#tasks.signal(input, now, settings, fx));
  }

  async createWaitpoint(lease: Lease, input: CreateWaitpointInput): Promise<CreatedWaitpoint> {
    return this.#tasks.createWaitpoint(lease, input, this.#context.tenantId, this.#context.clock.now());
  }

  async listWaitpoints(taskId: string): Promise<WaitpointInfo[]> {
    return this.#tasks.listWaitpoints(taskId, this.#context.clock.now());
  }

  async rotateWaitpointSecret(options: RotateWaitpointSecretOptions): Promise<RotatedWaitpointSecret> {
    return this.#tasks.waitpoints.rotate(options.graceMs, this.#context.clock.now());
  }

  async changePriority(taskId: string, priority: number): Promise<void> {
    this.#run((now, fx) => this.#tasks.changePriority(taskId, priority, now, fx));
  }

  async replay(taskId: string, options: ReplayOptions = {}): Promise<void> {
    this.#run((now, fx) => this.#tasks.replay(taskId, options, now, fx));
  }

  async listTasks(request: ListTasksRequest): Promise<Page<TaskRecord>> {
    return this.#tasks.listTasks(request, this.#context.clock.now());
  }

  async listQueues(request: PageRequest): Promise<Page<QueueStats>> {
    return this.#tasks.listQueues(request, this.#context.clock.now());
  }

  cancelTasks(filter: TaskFilter, options: CancelTasksOptions): Promise<{ cancelled: number }> {
    return cancelEach(this, filter, options);
  }

  retryDeadLetters(request: RetryDeadLettersRequest): Promise<{ retried: number }> {
    return retryEachDeadLetter(this, request);
  }

  async setQueue(queue: string, settings: QueueSettingsInput): Promise<QueueSettings> {
    return this.#run((_now, fx) => this.#tasks.setQueue(queue, settings, fx));
  }

  async queueStats(queue: string): Promise<QueueStats> {
    return this.#tasks.queueStats(queue, this.#context.clock.now());
  }

  async progress(lease: Lease, progress: Progress): Promise<void> {
    this.#tasks.progress(lease, progress, this.#context.clock.now());
  }

  async appendFrame(lease: Lease, data: Value): Promise<number> {
    const sequence = this.#tasks.appendFrame(lease, data, this.#context.clock.now());
    this.#context.hub.announceGrowth(this.#context.tenantId, framesTopic(lease.taskId));
    return sequence;
  }

  /** E28: with `waitMs` and nothing after `after`, woken by an append of any client of the store. */
  async readFrames(taskId: string, options: ReadFramesOptions = {}): Promise<Frame[]> {
    const frames = this.#tasks.readFrames(taskId, options);
    const waitMs = options.waitMs ?? 0;
    if (frames.length > 0 || waitMs === 0) return frames;
    const { hub, client, tenantId } = this.#context;
    await hub.waitForGrowth(client, tenantId, framesTopic(taskId), waitMs, options.signal, () => {
      return this.#tasks.readFrames(taskId, { ...options, limit: 1 }).length > 0;
    });
    return this.#tasks.readFrames(taskId, options);
  }

  async setSummary(lease: Lease, summary: Json): Promise<void> {
    this.#tasks.setSummary(lease, summary, this.#context.clock.now());
  }

  async getSummary(taskId: string, options: GetSummaryOptions = {}): Promise<TaskSummary | null> {
    return this.#tasks.getSummary(taskId, options);
  }

  /**
   * E19: true at once when a claim of `queues` would grant a lease; otherwise waits for a call of
   * any client of this store to wake one of the queues (enqueue, release, retry, resume, unblock,
   * queue settings, a freed concurrency slot), for a due time to come with work claimable, for the
   * timeout (false) or for the abort (false). A hint only: claim is the truth.
   */
  async waitForWork(queues: readonly string[], options: WaitForWorkOptions): Promise<boolean> {
    const { clock, tenantId, hub } = this.#context;
    const probe = (): WorkProbe => (this.#tenants.isSuspended(tenantId) ? NOTHING_CLAIMABLE : this.#tasks.probeWork(queues, clock.now()));
    if (options.signal?.aborted) return false;
    const first = probe();
    if (first.claimable) return true;
    return hub.wait(
      { client: this.#context.client, tenantId, queues, timeoutMs: options.timeoutMs, signal: options.signal, clock, probe },
      first,
    );
  }

  /** E19: this tenant's task events, delivered after each change; live once the promise resolves. */
  async subscribe(filter: SubscribeFilter, onEvent: (event: TaskEvent) => void): Promise<Unsubscribe> {
    return this.#context.hub.subscribe(this.#context.client, this.#context.tenantId, filter, onEvent);
  }

  #enqueue(tasks: readonly EnqueueInput[]): EnqueueResult[] {
    this.#assertActive("accept enqueues");
    return this.#run((now, fx) => this.#tasks.enqueue(tasks, now, this.#context.settings, fx));
  }

  /** T2: a suspended tenant's views grant no leases and accept no enqueues. */
  #assertActive(what: string): void {
    const { tenantId } = this.#context;
    if (this.#tenants.isSuspended(tenantId)) {
      throw new MooringError("INVALID_STATE", `tenant ${tenantId} is suspended and does not ${what}`, { details: tenantSuspendedDetails(tenantId) });
    }
  }

  /** Runs a mutating call with one clock reading, then announces its effects after its writes. */
  #run<T>(body: (now: number, fx: Effects) => T): T {
    const now = this.#context.clock.now();
    const fx = new Effects();
    const result = body(now, fx);
    this.#context.hub.announce(this.#context.tenantId, fx, now);
    return result;
  }
}

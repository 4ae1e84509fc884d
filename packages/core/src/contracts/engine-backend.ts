import type {
  ClaimInput,
  CompleteOptions,
  CancelTasksOptions,
  CreatedWaitpoint,
  CreateWaitpointInput,
  EnqueueInput,
  EnqueueResult,
  FailOptions,
  FailResult,
  Frame,
  GetSummaryOptions,
  Json,
  Value,
  Lease,
  ListDeadLettersRequest,
  ListTasksRequest,
  Page,
  PageRequest,
  Progress,
  QueueSettings,
  QueueSettingsInput,
  QueueStats,
  ReadFramesOptions,
  ReclaimOptions,
  ReclaimResult,
  ReleaseOptions,
  RenewOptions,
  ReplayOptions,
  RetryDeadLetterOptions,
  RetryDeadLettersRequest,
  RotatedWaitpointSecret,
  RotateWaitpointSecretOptions,
  SignalInput,
  SignalResult,
  SubscribeFilter,
  SuspendInput,
  SuspendResult,
  TaskEvent,
  TaskFilter,
  TaskRecord,
  TaskSummary,
  Unsubscribe,
  WaitForWorkOptions,
  WaitpointInfo,
} from "../types.js";

/**
 * Leases and scheduling of a tenant's tasks.
 *
 * Holder calls (`renew`, `complete`, `fail`, `release`, `suspend`, `progress`, `appendFrame`,
 * `setSummary`, `createWaitpoint`, `moveToDeadLetter`, and `WorkflowStore.commit` with a lease) are fenced: they are
 * checked in this order and, when rejected, write nothing (SPEC E5):
 * unknown task → NOT_FOUND; a newer lease exists → STALE_LEASE; an epoch never granted →
 * INVALID_STATE; the task's latest epoch with a `leaseId` that is not that lease's → STALE_LEASE
 * (SPEC T4); the task was cancelled or the lease revoked → LEASE_REVOKED; now ≥ expiresAt →
 * LEASE_EXPIRED; the task is not leased → INVALID_STATE. The check of the `leaseId` runs in the
 * same transaction or script as the call's write.
 */
export interface EngineBackend {
  /**
   * Adds a task. With an `idempotencyKey` already used in the queue within `dedupTtlMs`, returns
   * the first task's id with `created: false`. @throws NOT_FOUND for an unknown dependency;
   * INVALID_STATE when the tenant is suspended. @see SPEC E1, E2, E16, T2
   */
  enqueue(task: EnqueueInput): Promise<EnqueueResult>;

  /** `enqueue` for a batch, atomically, results in input order. @see SPEC E1 */
  enqueueMany(tasks: readonly EnqueueInput[]): Promise<EnqueueResult[]>;

  /**
   * Leases up to `limit` (default 1) claimable tasks of `queues`: higher priority first, then
   * earlier runAt, then enqueue order. Expired leases in those queues are reclaimed first (E10).
   * Paused queues, full queues (concurrency) and suspended tenants grant nothing. Returns an empty
   * array when nothing is claimable. Every lease carries a fresh `leaseId` of at least 96 random
   * bits. @see SPEC E3, E4, E10, E17, T2, T4
   */
  claim(request: ClaimInput): Promise<Lease[]>;

  /** Extends the lease; same epoch and `leaseId`, new `expiresAt`. Fenced. @see SPEC E6, E5, T4 */
  renew(lease: Lease, options?: RenewOptions): Promise<Lease>;

  /**
   * Settles the task as completed, once. Repeating it with the same lease after it succeeded
   * succeeds again and changes nothing; a repeat whose `leaseId` is not that lease's is
   * STALE_LEASE. Fenced. @see SPEC E7, E5, T4
   */
  complete(lease: Lease, options?: CompleteOptions): Promise<void>;

  /**
   * Consumes the attempt: retried at now + min(baseMs·factor^(attempt−1), maxMs) when retryable
   * (default) and attempts remain, else dead-lettered. Fenced. @see SPEC E8, E5, T4
   */
  fail(lease: Lease, options: FailOptions): Promise<FailResult>;

  /** Gives the task back without consuming an attempt. Fenced. @see SPEC E9, E5, T4 */
  release(lease: Lease, options?: ReleaseOptions): Promise<void>;

  /**
   * Retries (with backoff, lastError "lease expired") or dead-letters every expired lease, up to
   * `limit`, each exactly once whatever else runs concurrently. @see SPEC E10, E11
   */
  reclaimExpired(options?: ReclaimOptions): Promise<ReclaimResult>;

  /** Dead-lettered tasks, oldest first, optionally of one queue. @see SPEC E12, C5 */
  listDeadLetters(request: ListDeadLettersRequest): Promise<Page<TaskRecord>>;

  /** Makes a dead task ready again. @throws NOT_FOUND; INVALID_STATE when not dead. @see SPEC E12 */
  retryDeadLetter(taskId: string, options?: RetryDeadLetterOptions): Promise<void>;

  /** Dead-letters the leased task now, with `error` as its lastError. Fenced. @see SPEC E12, E5, T4 */
  moveToDeadLetter(lease: Lease, error: Json): Promise<void>;

  /**
   * Cancels a non-terminal task and revokes its lease; false when already terminal.
   * Dependents are cancelled with reason "dependency_failed". @throws NOT_FOUND. @see SPEC E13, E16
   */
  cancel(taskId: string, reason?: string): Promise<boolean>;

  /**
   * Revokes the current lease and makes the task ready, consuming no attempt; false when the task
   * holds no lease. @throws NOT_FOUND. @see SPEC E13
   */
  revokeLease(taskId: string): Promise<boolean>;

  /** The task, or null. @see SPEC E13 */
  getTask(taskId: string): Promise<TaskRecord | null>;

  /**
   * Parks the task until signals on `keys` arrive (or `timeoutAt`). When buffered signals already
   * satisfy it, returns them and the lease stays valid. Fenced. @see SPEC E14, E5, T4
   */
  suspend(lease: Lease, input: SuspendInput): Promise<SuspendResult>;

  /**
   * Delivers to every task suspended on `key`, or buffers for `signalTtlMs`. A repeated
   * idempotencyKey returns the first signalId with `duplicate: true`. @see SPEC E15
   *
   * With a waitpoint's `token` instead of a key (capability `waitpoints`), delivers on the
   * waitpoint's key to its task only, buffered for that task when it is not suspended on the key
   * yet, and once: a repeat of the token returns the first signalId with `duplicate: true`.
   * @throws UNAUTHORIZED, delivering nothing, for a token that is malformed, of another tenant,
   * signed by a secret rotated out past its grace, forged or altered, or expired. @see SPEC E25
   */
  signal(input: SignalInput): Promise<SignalResult>;

  /**
   * Issues a waitpoint for the lease's task: a token, signed with the tenant's current secret
   * (created on first use), that lets an outside system signal the task on `key` without an API
   * token until `expiresInMs` from now. The token is returned here only. Fenced. @see SPEC E25, E5, T4
   */
  createWaitpoint(lease: Lease, input: CreateWaitpointInput): Promise<CreatedWaitpoint>;

  /** The task's waitpoints in creation order, without their tokens; `[]` for an unknown task. @see SPEC E25 */
  listWaitpoints(taskId: string): Promise<WaitpointInfo[]>;

  /**
   * Makes a new secret of this tenant the one that signs; tokens signed with earlier ones verify
   * for `graceMs` more (never longer than an earlier rotation allowed), then are UNAUTHORIZED.
   * @see SPEC E25
   */
  rotateWaitpointSecret(options: RotateWaitpointSecretOptions): Promise<RotatedWaitpointSecret>;

  /** Sets a queue's concurrency limit and pause flag; returns the settings now in force. @see SPEC E17 */
  setQueue(queue: string, settings: QueueSettingsInput): Promise<QueueSettings>;

  /** Counts per state, settings and the oldest ready task's age; zeros for an unknown queue. @see SPEC E17 */
  queueStats(queue: string): Promise<QueueStats>;

  /** Records progress on the task. Fenced. @see SPEC E18, E5, T4 */
  progress(lease: Lease, progress: Progress): Promise<void>;

  /** Appends to the lease's attempt stream and returns the frame's sequence. Fenced. @see SPEC E18, E5, T4 */
  appendFrame(lease: Lease, data: Value): Promise<number>;

  /**
   * Frames of one attempt (default the latest) with sequence > `after`, ascending, at most
   * `limit`; `[]` for an unknown task. With `waitMs` (capability `frameTail`) and nothing after
   * `after` yet, waits for the next append, pushed by the store, and returns what is there when it
   * comes, at `waitMs` or on abort (maybe `[]`). @see SPEC E18, E28
   */
  readFrames(taskId: string, options?: ReadFramesOptions): Promise<Frame[]>;

  /**
   * Replaces the summary document of the lease's attempt (a small JSON a UI shows beside the
   * frames: counts, the current step, a link). Fenced. @see SPEC E28, E5, T4
   */
  setSummary(lease: Lease, summary: Json): Promise<void>;

  /**
   * The summary of one attempt (default the task's latest), or null when that attempt has none or
   * the task is unknown. @see SPEC E28
   */
  getSummary(taskId: string, options?: GetSummaryOptions): Promise<TaskSummary | null>;

  // Operator calls (SPEC E26, capability `operator`)

  /**
   * Sets a non-terminal task's priority; claims from then on order it by the new one (a leased
   * task keeps its lease). Needs `priorities` too. @throws NOT_FOUND; INVALID_STATE for a terminal
   * task (`{ taskId, state }`). @see SPEC E26
   */
  changePriority(taskId: string, priority: number): Promise<void>;

  /**
   * Makes a terminal task (completed, dead, cancelled) run again: ready now, or scheduled at
   * `runAt`. Its `result`, `lastError`, `progress`, `cancelReason` and carried signals are cleared, its frames and
   * summaries stay readable, its next lease's epoch is above every earlier one, and `getTask`
   * counts `replays`. The last run's attempt counts as spent, so the next lease's attempt is one
   * above it, unless `resetAttempts` starts from 1 again (as `retryDeadLetter`).
   * @throws NOT_FOUND; INVALID_STATE for a task that is not terminal (`{ taskId, state }`). @see SPEC E26
   */
  replay(taskId: string, options?: ReplayOptions): Promise<void>;

  /** The tenant's tasks matching the request's filter, in enqueue order or newest first. @see SPEC E26, C5 */
  listTasks(request: ListTasksRequest): Promise<Page<TaskRecord>>;

  /** Every queue that has a task or settings, by name (code points), each with its `queueStats`. @see SPEC E26, C5 */
  listQueues(request: PageRequest): Promise<Page<QueueStats>>;

  /**
   * Cancels up to `limit` non-terminal tasks matching `filter`, oldest first, each as `cancel`
   * does (its lease revoked, its dependents cancelled) and each atomically; a task that became
   * terminal meanwhile is skipped. @see SPEC E26, E13
   */
  cancelTasks(filter: TaskFilter, options: CancelTasksOptions): Promise<{ cancelled: number }>;

  /**
   * Makes up to `limit` dead tasks (of `queue`, when given) ready, oldest dead first, each as
   * `retryDeadLetter` does and each atomically; one retried meanwhile by another caller is
   * skipped. @see SPEC E26, E12
   */
  retryDeadLetters(request: RetryDeadLettersRequest): Promise<{ retried: number }>;

  /**
   * Resolves true when work may be claimable in `queues`, false at the timeout or on abort. A hint
   * only: `claim` is the truth. @see SPEC E19
   */
  waitForWork(queues: readonly string[], options: WaitForWorkOptions): Promise<boolean>;

  /**
   * Streams this tenant's task events of `kinds`. Resolves once the subscription is live; the
   * returned function stops it. @see SPEC E19
   */
  subscribe(filter: SubscribeFilter, onEvent: (event: TaskEvent) => void): Promise<Unsubscribe>;
}

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Job, Worker } from 'bullmq';
import type { Logger } from '../logger.ts';
import { withTimeout } from '../redis/redis-connection.ts';
import type { Redis } from '../redis/redis-connection.ts';
import type { RunStore } from './run-store.ts';
import type { AnyRunKind } from './run-definition.ts';
import { CancelListener } from './run-cancellation.ts';
import { notify } from './run-events.ts';
import type { RunObserver } from './run-events.ts';
import { RUN_QUEUE_NAME, RunQueue } from './run-queue.ts';
import { loadBullmq, WORKER_DEFAULTS } from './lazy-queue.ts';
import type { RunJobData } from './run-queue.ts';
import { defaultRetryPolicy } from './retry-policy.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { JobLockLostError, WorkerShutdownError } from './step-attempt.ts';
import { StepRunner } from './step-runner.ts';
import { RunRecovery } from './run-recovery.ts';
import type { RecoveryReport } from './run-recovery.ts';
import type { Clock } from '../clock.ts';

/** How soon a run whose earlier execution stopped short is delivered again (see RunWorker.afterEarlier). */
const HAND_BACK_DELAY_MS = 1_000;

export interface RunWorkerOptions<Deps> {
  connection: Redis;
  /** BullMQ's key prefix; also prefixes the cancellation channel. */
  prefix: string;
  store: RunStore;
  /** The kinds this worker runs, by name (the bot's: one per resumable action, named by its id). */
  kinds: readonly AnyRunKind[];
  deps: Deps;
  logger: Logger;
  observer?: RunObserver;
  /** Shown in the run's history ("resumed on worker X"). Defaults to host:pid:random. */
  workerId?: string;
  queueName?: string;
  /** For handing a released target to the next run; one is created on `connection` when absent. */
  queue?: RunQueue;
  concurrency?: number;
  /** A job whose lock is not renewed for this long counts as stalled (its worker died) and is taken over. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How often one job may be taken over before it is failed (a step that kills its worker). */
  maxStalledCount?: number;
  /** A run started this often without finishing is failed by the reconciler instead of enqueued again. */
  maxResumes?: number;
  retry?: Partial<RetryPolicy>;
  defaultStepTimeoutMs?: number;
  /** Step timeouts, retry budgets and backoffs run on it; the system clock by default. */
  clock?: Clock;
  /** How long `close()` waits for running steps before abandoning them to another worker. */
  closeTimeoutMs?: number;
}

/** Runs the BullMQ jobs of the run queue: one job = one run, executed from its checkpoints. */
export class RunWorker<Deps> {
  readonly workerId: string;
  private worker: Worker<RunJobData> | undefined;
  private readonly cancellation: CancelListener;
  private readonly queue: RunQueue;
  private readonly ownsQueue: boolean;
  private readonly runner: StepRunner<Deps>;
  private readonly recovery: RunRecovery;
  private readonly logger: Logger;
  /** The execution under way in this process, by run id (see `process`). */
  private readonly executing = new Map<string, Promise<void>>();

  constructor(private readonly options: RunWorkerOptions<Deps>) {
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
    this.logger = options.logger.child({ workerId: this.workerId });
    this.cancellation = new CancelListener(options.connection, options.prefix, this.logger);
    this.ownsQueue = !options.queue;
    this.queue =
      options.queue ??
      new RunQueue({
        connection: options.connection,
        prefix: options.prefix,
        store: options.store,
        logger: options.logger,
        ...(options.queueName ? { queueName: options.queueName } : {}),
      });
    this.runner = new StepRunner<Deps>({
      store: options.store,
      kinds: new Map(options.kinds.map((kind) => [kind.kind, kind])),
      deps: options.deps,
      observer: options.observer,
      logger: this.logger,
      workerId: this.workerId,
      retry: { ...defaultRetryPolicy, ...options.retry },
      defaultStepTimeoutMs: options.defaultStepTimeoutMs ?? 10 * 60_000,
      onTargetHandedOver: (runId) => this.handOver(runId),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.recovery = new RunRecovery({
      store: options.store,
      queue: this.queue,
      logger: this.logger,
      maxResumes: options.maxResumes ?? 25,
      giveUp: (runId, reason) => this.giveUp(runId, reason),
    });
  }

  private get lockDurationMs(): number {
    return this.options.lockDurationMs ?? 10_000;
  }

  /** Subscribes to cancellations, starts taking jobs, and reconciles runs whose job was lost. */
  async start(): Promise<void> {
    await this.cancellation.start();
    const { options } = this;
    const { Worker } = await loadBullmq();
    const worker = new Worker<RunJobData>(
      options.queueName ?? RUN_QUEUE_NAME,
      (job, token) => this.process(job, token),
      {
        connection: options.connection,
        prefix: options.prefix,
        name: this.workerId,
        concurrency: options.concurrency ?? 4,
        lockDuration: this.lockDurationMs,
        stalledInterval: options.stalledIntervalMs ?? 5_000,
        maxStalledCount: options.maxStalledCount ?? 2,
        autorun: false,
        ...WORKER_DEFAULTS,
      },
    );
    worker.on('error', (err) => this.logger.warn({ err }, 'run worker error'));
    // Job id = run id. Without its lock the job may run elsewhere: stop this execution of it at once.
    worker.on('lockRenewalFailed', (jobIds) => {
      for (const runId of jobIds) {
        this.logger.warn({ runId }, 'run job lock lost; stopping this execution for whoever takes the job over');
        this.cancellation.abort(runId, new JobLockLostError());
      }
    });
    worker.on('failed', (job, err) => void this.onJobFailed(job, err));
    this.worker = worker;
    void worker.run().catch((err: unknown) => this.logger.error({ err }, 'run worker stopped'));
    await worker.waitUntilReady();
    await this.reconcile();
  }

  /** One self-healing pass (see RunRecovery); the periodic reconciler calls it on every worker. */
  reconcile(): Promise<RecoveryReport> {
    return this.recovery.reconcile();
  }

  /**
   * A job can be handed back to the process still executing it: its lock expired in Redis (a failover to a
   * replica that missed the renewals, a long blip), so BullMQ's stalled check returned it to the queue.
   * That delivery never executes the run itself (see `afterEarlier`); the execution under way goes on.
   */
  private async process(job: Job<RunJobData>, token?: string): Promise<void> {
    const { runId, requestId } = job.data;
    const earlier = this.executing.get(runId);
    if (earlier) return this.afterEarlier(job, token, earlier);
    const execution = (async () => {
      const tracked = this.cancellation.track(runId);
      try {
        await this.runner.execute(runId, requestId, tracked.signal, () => this.holdsLock(job, token));
      } finally {
        tracked.release();
      }
    })();
    this.executing.set(runId, execution);
    try {
      await execution;
    } finally {
      if (this.executing.get(runId) === execution) this.executing.delete(runId);
    }
  }

  /** Whether this delivery still holds the job's lock: renewed if so (BullMQ's own renewal does the same). */
  private async holdsLock(job: Job<RunJobData>, token: string | undefined): Promise<boolean> {
    if (token === undefined) return true;
    return (await job.extendLock(token, this.lockDurationMs)) === 1;
  }

  /**
   * The handed-back delivery waits for the execution under way, then completes the job if the run has
   * ended (or waits for a decision), or else puts it back for a fresh delivery: BullMQ renews one lock per
   * job and stopped renewing this delivery's when the earlier one returned, so it must not run the steps.
   */
  private async afterEarlier(job: Job<RunJobData>, token: string | undefined, earlier: Promise<void>) {
    const { runId } = job.data;
    this.logger.warn({ runId }, 'run handed back while this process still executes it; waiting for that execution');
    await earlier.catch(() => undefined);
    const run = await this.options.store.getRun(runId);
    if (run?.status !== 'queued' && run?.status !== 'running') return;
    const { DelayedError } = await loadBullmq();
    await job.moveToDelayed(Date.now() + HAND_BACK_DELAY_MS, token);
    throw new DelayedError();
  }

  private async handOver(runId: string): Promise<void> {
    const next = await this.options.store.getRun(runId);
    if (next) await this.queue.enqueue(next.id, next.requestId);
  }

  /**
   * BullMQ gave up on the job. A job that stalled too often (a step that kills its worker) ends its
   * run; one whose attempts ran out on infrastructure trouble (PostgreSQL down) leaves the run active
   * for the reconciler, which enqueues it again once the store answers.
   */
  private async onJobFailed(job: Job<RunJobData> | undefined, err: Error): Promise<void> {
    if (!job || err instanceof WorkerShutdownError) return;
    const stalled = /stalled more than/.test(err.message);
    if (job.attemptsMade < (job.opts.attempts ?? 1) && !stalled) return;
    const runId = job.data.runId;
    if (!stalled) {
      this.logger.warn({ err, runId }, 'run job ran out of attempts; the reconciler will enqueue it again');
      return;
    }
    this.logger.error({ err, runId }, 'run job failed for good');
    try {
      await this.giveUp(runId, `the worker gave up: ${err.message}`);
    } catch (error) {
      this.logger.error({ err: error, runId }, 'could not record the failed run; the reconciler will retry it');
    }
  }

  /** Ends a run that cannot go on, with its kind's account of the state it left, and tells observers. */
  private async giveUp(runId: string, reason: string): Promise<void> {
    const run = await this.options.store.getRun(runId);
    if (!run) return;
    const error = await this.runner.failureReport(run, reason, this.logger.child({ runId }));
    const finished = await this.options.store.finishRun(runId, { status: 'failed', error });
    if (!finished.finished) return;
    if (finished.next) await this.handOver(finished.next);
    await notify(
      this.options.observer,
      { type: 'run-finished', runId, status: 'failed', error: finished.run.error },
      this.logger,
    );
  }

  /**
   * Stops taking jobs and waits up to `closeTimeoutMs` for running steps. Past that (or when Redis is
   * gone, where BullMQ's close can wait forever) the steps are abandoned: their runs stay `running`
   * and resume on another worker once the lock expires.
   */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    const timeoutMs = this.options.closeTimeoutMs ?? 10_000;
    if (worker) {
      try {
        await withTimeout(worker.close(), timeoutMs, 'run worker close');
      } catch {
        this.logger.warn('run worker did not stop in time; abandoning its runs to other workers');
        this.cancellation.abortAll(new WorkerShutdownError());
        await withTimeout(worker.close(true), 2_000, 'run worker force close').catch(() => undefined);
      }
    }
    await Promise.all([this.cancellation.close(2_000), this.ownsQueue ? this.queue.close(2_000) : undefined]);
  }
}

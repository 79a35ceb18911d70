import { randomBytes } from 'node:crypto';
import { AppError } from '../../src/app-error.ts';
import type { OnBusy, RunKind } from '../../src/jobs/run-definition.ts';
import type { ListRunsOptions, RunListItem } from '../../src/jobs/run-queries.ts';
import {
  isTerminal,
  type NewPause,
  type RunPause,
  type RunRecord,
  type RunStatus,
  type RunWithSteps,
  type StepRecord,
} from '../../src/jobs/run-record.ts';
import { RunTakenOverError } from '../../src/jobs/step-attempt.ts';
import type { RecordAuditWith } from '../../src/audit/audit-log.ts';
import { NO_TRANSACTION } from './memory-audit-log.ts';
import { coverOverlapError, coverPrefixOf, targetBusyError } from '../../src/store/target-lock.ts';
import type {
  CreatedRun,
  FinishedRun,
  NewRun,
  PauseDecisionWrite,
  RunStore,
  StartedRun,
  SteppedOn,
} from '../../src/jobs/run-store.ts';

interface StoredRun extends RunRecord {
  steps: StepRecord[];
  /** Every target under this prefix (RunKind.covers). */
  covers?: string;
  /** Creation order: runs created in one millisecond keep their order. */
  seq: number;
}

const active = (run: RunRecord) => !isTerminal(run.status);
/** JSON in, JSON out, as a JSONB column returns it. */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));

/**
 * The run store port in memory, for the fast test tier: the same runs, step checkpoints and one-change-
 * per-target hand-over as PgRunStore, checked by the same contract tests
 * (test/support/run-store-contract.ts). Every call runs to completion before the next, as PgRunStore's
 * transactions and target locks make them. Time comes from the injected clock.
 */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, StoredRun>();
  /** target → the one run allowed to change it. */
  private readonly holders = new Map<string, string>();
  private seq = 0;
  private readonly pauses: RunPause[] = [];

  constructor(
    private readonly options: {
      now?: () => Date;
      /** Told of a run's end as it is written (PgRunStore writes the final reply in that transaction). */
      onFinished?: (run: RunRecord) => Promise<void>;
      /** Told of a pause as it is written, decided or escalated (PgRunStore: in that transaction). */
      onPauseChanged?: (run: RunRecord, pause: RunPause) => Promise<void>;
    } = {},
  ) {}

  async createRun<Deps>(kind: RunKind<Deps>, request: NewRun, recordWith?: RecordAuditWith): Promise<CreatedRun> {
    if (!recordWith) return this.insertRun(kind, request);
    // No transaction in memory: the rows are appended once the run is in, so a refused run records none,
    // as its rolled-back transaction would.
    return recordWith(async (append) => {
      const created = await this.insertRun(kind, request);
      await append(NO_TRANSACTION);
      return created;
    });
  }

  private async insertRun<Deps>(kind: RunKind<Deps>, request: NewRun): Promise<CreatedRun> {
    const existing = request.idempotencyKey
      ? [...this.runs.values()].find((r) => r.idempotencyKey === request.idempotencyKey)
      : undefined;
    if (existing) {
      return { run: this.record(existing), created: false, startable: this.holds(existing) && active(existing) };
    }
    const target = kind.target?.(request.input);
    const onBusy = kind.onBusy ?? 'refuse';
    const covers = kind.covers?.(request.input);
    // Checked and inserted in one turn of the event loop, as PostgreSQL does under its locks.
    const busy = this.busyError(target, covers, onBusy);
    if (busy) throw busy;
    const holder = target === undefined ? undefined : this.holders.get(target);
    const id = `run_${randomBytes(6).toString('hex')}`;
    const run: StoredRun = {
      ...(covers !== undefined ? { covers } : {}),
      id,
      kind: kind.kind,
      action: request.action ?? kind.kind,
      input: asJson(request.input),
      requestId: request.requestId,
      requestedBy: request.requestedBy,
      teamId: request.teamId,
      approvalId: request.approvalId,
      idempotencyKey: request.idempotencyKey,
      target,
      onBusy,
      status: 'queued',
      stepCount: kind.steps.length,
      currentStep: 0,
      cancelRequested: false,
      thread: request.thread ? { channel: request.thread.channel, ts: request.thread.ts ?? '' } : undefined,
      resumedCount: 0,
      createdAt: this.now(),
      steps: kind.steps.map((step, index) => ({
        runId: id,
        index,
        stepId: step.id,
        title: step.title,
        status: 'pending',
        attempt: 0,
      })),
      seq: (this.seq += 1),
    };
    this.runs.set(id, run);
    if (target === undefined) return { run: this.record(run), created: true, startable: true };
    if (holder === undefined) {
      this.holders.set(target, id);
      return { run: this.record(run), created: true, startable: true };
    }
    return { run: this.record(run), created: true, startable: false, waitingFor: holder };
  }

  async startRun(runId: string, workerId: string): Promise<StartedRun | undefined> {
    const run = this.runs.get(runId);
    // A paused run waits for its decision, which queues it again (as PgRunStore: queued or running only).
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return undefined;
    const resumed = run.status === 'running';
    const previousWorker = run.workerId;
    Object.assign(run, {
      status: 'running',
      workerId,
      startedAt: run.startedAt ?? this.now(),
      resumedCount: run.resumedCount + (resumed ? 1 : 0),
    });
    return { run: this.record(run), resumed, previousWorker };
  }

  /** The fence of PgRunStore's step writes: refused once another worker has started the run. */
  private owned(runId: string, owner: string | undefined): void {
    const run = this.get(runId);
    if (owner !== undefined && (run.workerId !== owner || run.status !== 'running')) throw new RunTakenOverError(runId);
  }

  async stepStarted(runId: string, index: number, workerId: string): Promise<StepRecord> {
    this.owned(runId, workerId);
    const run = this.get(runId);
    run.currentStep = index;
    const step = this.step(runId, index);
    Object.assign(step, {
      status: 'running',
      attempt: step.attempt + 1,
      startedAt: this.now(),
      finishedAt: undefined,
      error: undefined,
      workerId,
    });
    return structuredClone(step);
  }

  async stepSucceeded(
    runId: string,
    index: number,
    result: { summary?: string | undefined; output?: unknown },
    owner?: string,
  ): Promise<StepRecord> {
    this.owned(runId, owner);
    const step = this.step(runId, index);
    Object.assign(step, {
      status: 'succeeded',
      finishedAt: this.now(),
      summary: result.summary,
      output: result.output === undefined ? undefined : asJson(result.output),
      error: undefined,
    });
    return structuredClone(step);
  }

  async stepSucceededThenStart(
    runId: string,
    index: number,
    result: { summary?: string | undefined; output?: unknown },
    next: { index: number; workerId: string },
  ): Promise<SteppedOn> {
    const done = await this.stepSucceeded(runId, index, result, next.workerId);
    const cancel = await this.cancelState(runId);
    if (cancel.requested) return { done, cancel };
    return { done, started: await this.stepStarted(runId, next.index, next.workerId), cancel };
  }

  async stepAttemptFailed(runId: string, index: number, error: string, owner?: string): Promise<void> {
    this.owned(runId, owner);
    this.step(runId, index).error = error;
  }

  async stepEnded(
    runId: string,
    index: number,
    status: 'failed' | 'cancelled',
    error: string,
    owner?: string,
  ): Promise<StepRecord> {
    this.owned(runId, owner);
    const step = this.step(runId, index);
    Object.assign(step, { status, finishedAt: this.now(), error });
    return structuredClone(step);
  }

  async finishRun(
    runId: string,
    outcome: { status: Exclude<RunStatus, 'queued' | 'running' | 'paused'>; error?: string; summary?: string },
    owner?: string,
  ): Promise<FinishedRun> {
    const run = this.get(runId);
    if (!active(run) || (owner !== undefined && run.workerId !== owner))
      return { run: this.record(run), finished: false };
    const now = this.now();
    Object.assign(run, { status: outcome.status, error: outcome.error, summary: outcome.summary, finishedAt: now });
    for (const step of run.steps) {
      if (step.status === 'running' || step.status === 'paused')
        step.status = outcome.status === 'cancelled' ? 'cancelled' : 'failed';
      else if (step.status === 'pending') step.status = 'skipped';
      else continue;
      step.finishedAt ??= now;
    }
    const next = this.release(run);
    await this.options.onFinished?.(this.record(run));
    return { run: this.record(run), finished: true, ...(next ? { next } : {}) };
  }

  async pauseRun(runId: string, index: number, pause: NewPause, owner?: string): Promise<RunPause | undefined> {
    const run = this.get(runId);
    if (run.status !== 'running' || run.cancelRequested || (owner !== undefined && run.workerId !== owner))
      return undefined;
    const step = this.step(runId, index);
    run.status = 'paused';
    step.status = 'paused';
    if (pause.error !== undefined) step.error = pause.error;
    const stored: RunPause = {
      id: `pause_${randomBytes(6).toString('hex')}`,
      runId,
      stepIndex: index,
      stepId: step.stepId,
      cause: pause.cause,
      question: pause.question,
      options: pause.options.map((option) => ({ ...option })),
      error: pause.error,
      createdAt: this.now(),
      expiresAt: new Date(pause.expiresAt.getTime()),
    };
    this.pauses.push(stored);
    await this.options.onPauseChanged?.(this.record(run), structuredClone(stored));
    return structuredClone(stored);
  }

  async decide(pauseId: string, optionId: string, by: string): Promise<PauseDecisionWrite | undefined> {
    const pause = this.pauses.find((p) => p.id === pauseId);
    if (!pause) return undefined;
    if (pause.decision) return { pause: structuredClone(pause), decided: false };
    const run = this.get(pause.runId);
    if (run.status !== 'paused')
      return {
        pause: structuredClone(pause),
        decided: false,
        runStatus: run.status,
        runCancelled: run.cancelRequested,
      };
    pause.decision = { optionId, decidedBy: by, decidedAt: this.now() };
    run.status = 'queued';
    await this.options.onPauseChanged?.(this.record(run), structuredClone(pause));
    return { pause: structuredClone(pause), decided: true };
  }

  async getPause(pauseId: string): Promise<RunPause | undefined> {
    const pause = this.pauses.find((p) => p.id === pauseId);
    return pause ? structuredClone(pause) : undefined;
  }

  async latestPause(runId: string): Promise<RunPause | undefined> {
    const pause = this.pauses.filter((p) => p.runId === runId).at(-1);
    return pause ? structuredClone(pause) : undefined;
  }

  async expiredPauses(now: Date, limit = 100): Promise<RunPause[]> {
    return this.pauses
      .filter(
        (p) =>
          !p.decision &&
          !p.escalatedAt &&
          p.expiresAt.getTime() <= now.getTime() &&
          this.get(p.runId).status === 'paused',
      )
      .slice(0, limit)
      .map((p) => structuredClone(p));
  }

  async markEscalated(pauseId: string, escalation: string): Promise<boolean> {
    const pause = this.pauses.find((p) => p.id === pauseId);
    if (!pause || pause.decision || pause.escalatedAt) return false;
    Object.assign(pause, { escalatedAt: this.now(), escalation });
    await this.options.onPauseChanged?.(this.record(this.get(pause.runId)), structuredClone(pause));
    return true;
  }

  async requestCancel(runId: string, by: string): Promise<RunRecord | undefined> {
    const run = this.runs.get(runId);
    if (!run || !active(run)) return undefined;
    // A paused run has no worker: queued again, a worker closes it.
    if (run.status === 'paused') run.status = 'queued';
    run.cancelRequested = true;
    run.cancelledBy ??= by;
    return this.record(run);
  }

  async cancelState(runId: string): Promise<{ requested: boolean; by?: string | undefined }> {
    const run = this.runs.get(runId);
    return { requested: run?.cancelRequested ?? false, by: run?.cancelledBy };
  }

  async mayStart(runId: string): Promise<boolean> {
    const run = this.runs.get(runId);
    return run !== undefined && this.holds(run);
  }

  async setStatusMessage(runId: string, ts: string): Promise<string> {
    const run = this.runs.get(runId);
    if (!run) return ts;
    run.statusMessageTs ??= ts;
    return run.statusMessageTs;
  }

  async repairTargets(): Promise<Array<{ id: string; requestId: string }>> {
    const stuck = new Set<string>();
    for (const [target, holder] of this.holders) if (!active(this.get(holder))) stuck.add(target);
    for (const run of this.runs.values())
      if (run.status === 'queued' && run.target !== undefined && !this.holders.has(run.target)) stuck.add(run.target);
    const handed: Array<{ id: string; requestId: string }> = [];
    for (const target of stuck) {
      const holder = this.holders.get(target);
      if (holder !== undefined && active(this.get(holder))) continue;
      this.holders.delete(target);
      const next = this.oldestWaiting(target);
      if (!next) continue;
      this.holders.set(target, next.id);
      handed.push({ id: next.id, requestId: next.requestId });
    }
    return handed;
  }

  async runsToEnqueue(limit = 500): Promise<Array<{ id: string; requestId: string; resumedCount: number }>> {
    return this.ordered()
      .filter(
        (run) => (run.status === 'queued' || run.status === 'running') && (this.holds(run) || run.cancelRequested),
      )
      .slice(0, limit)
      .map((run) => ({ id: run.id, requestId: run.requestId, resumedCount: run.resumedCount }));
  }

  async runForApproval(approvalId: string): Promise<RunRecord | undefined> {
    const run = this.ordered().find((r) => r.approvalId === approvalId);
    return run ? this.record(run) : undefined;
  }

  async getRun(id: string): Promise<RunWithSteps | undefined> {
    const run = this.runs.get(id);
    return run ? { ...this.record(run), steps: structuredClone(run.steps) } : undefined;
  }

  async listRuns(options: ListRunsOptions): Promise<RunListItem[]> {
    const statuses = options.status === undefined ? undefined : [options.status].flat();
    return this.ordered()
      .reverse()
      .filter((run) => !statuses || statuses.includes(run.status))
      .sort((a, b) => Number(active(b)) - Number(active(a)))
      .slice(0, options.limit)
      .map((run) => ({ ...this.record(run), stepsDone: run.steps.filter((s) => s.status === 'succeeded').length }));
  }

  /** Hands a target whose holder went away to nobody, as a crash between two writes would (tests only). */
  loseHandOver(target: string): void {
    this.holders.delete(target);
  }

  /** Gives up the target `run` holds and hands it to the oldest run waiting for it. */
  private release(run: StoredRun): string | undefined {
    if (run.target === undefined || this.holders.get(run.target) !== run.id) return undefined;
    this.holders.delete(run.target);
    const next = this.oldestWaiting(run.target);
    if (!next) return undefined;
    this.holders.set(run.target, next.id);
    return next.id;
  }

  /** As target-lock.ts refuseIfBusy: a held target refuses a kind that does not queue, and covers overlap. */
  async refuseIfBusy(target: string | undefined, covers: string | undefined, onBusy: OnBusy): Promise<void> {
    const busy = this.busyError(target, covers, onBusy);
    if (busy) throw busy;
  }

  private busyError(target: string | undefined, covers: string | undefined, onBusy: OnBusy): AppError | undefined {
    const holder = target === undefined ? undefined : this.holders.get(target);
    if (holder !== undefined && onBusy === 'refuse') return targetBusyError(target!, holder);
    const under = coverPrefixOf(target);
    const other = this.ordered().find(
      (r) =>
        active(r) &&
        ((under !== undefined && r.covers === under) ||
          (covers !== undefined && (r.target?.startsWith(covers) || r.covers === covers))),
    );
    return other
      ? coverOverlapError({ id: other.id, what: other.covers ?? other.target ?? '' }, target, covers)
      : undefined;
  }

  private oldestWaiting(target: string): StoredRun | undefined {
    return this.ordered().find((r) => r.target === target && r.status === 'queued' && !r.cancelRequested);
  }

  private holds(run: StoredRun): boolean {
    return run.target === undefined || this.holders.get(run.target) === run.id;
  }

  /** Oldest first. */
  private ordered(): StoredRun[] {
    return [...this.runs.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.seq - b.seq);
  }

  private get(runId: string): StoredRun {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`no run ${runId}`);
    return run;
  }

  private step(runId: string, index: number): StepRecord {
    const step = this.get(runId).steps[index];
    if (!step) throw new Error(`run ${runId} has no step ${index}`);
    return step;
  }

  private record(run: StoredRun): RunRecord {
    const { steps: _steps, seq: _seq, ...record } = run;
    return structuredClone(record);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

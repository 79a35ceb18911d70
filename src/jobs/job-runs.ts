import type { Runs, StartRunRequest } from '../handlers/core/runs.ts';
import type { AnyRunKind } from './run-definition.ts';
import type { RunQueue } from './run-queue.ts';
import type { RunCanceller } from './run-cancellation.ts';
import type { RunQueries } from './run-queries.ts';
import type { RunStore } from './run-store.ts';
import { RunDecisions } from './run-decisions.ts';
import { pauseMessageKey } from './pause-message.ts';
import type { OutboxWriter } from '../slack/slack-outbox.ts';
import type { RecordAuditWith } from '../audit/audit-log.ts';

/** The handlers' `Runs` over the run queue, the canceller and the run store. */
export class JobRuns implements Runs {
  private readonly decisions: RunDecisions;

  constructor(
    private readonly queue: RunQueue,
    private readonly canceller: RunCanceller,
    private readonly queries: RunQueries,
    private readonly pauses: Pick<RunStore, 'decide' | 'getPause' | 'getRun' | 'latestPause'>,
    /** Where the pauses' questions were written (pause-message.ts), to bind a click to its message. */
    private readonly outbox: Pick<OutboxWriter, 'get'>,
  ) {
    this.decisions = new RunDecisions({
      store: pauses,
      enqueue: (runId, requestId) => queue.enqueue(runId, requestId),
    });
  }

  latestPause(runId: string) {
    return this.pauses.latestPause(runId);
  }

  getPause(pauseId: string) {
    return this.pauses.getPause(pauseId);
  }

  async pauseMessage(pauseId: string) {
    const row = await this.outbox.get(pauseMessageKey(pauseId));
    return row?.ts ? { channel: row.channel, ts: row.ts } : undefined;
  }

  decide(pauseId: string, optionId: string, by: string) {
    return this.decisions.decide(pauseId, optionId, by);
  }

  async start(kind: AnyRunKind, request: StartRunRequest, recordWith?: RecordAuditWith) {
    const { thread, approvalId, idempotencyKey = approvalId, ...rest } = request;
    const created = await this.queue.submit(
      kind,
      {
        ...rest,
        ...(approvalId ? { approvalId } : {}),
        ...(idempotencyKey ? { idempotencyKey } : {}),
        ...(thread ? { thread } : {}),
      },
      recordWith,
    );
    return { runId: created.run.id, created: created.created, waitingFor: created.waitingFor };
  }

  refuseIfBusy(kind: AnyRunKind, input: unknown) {
    // Only overlaps with covering runs (a database rollback or failover, which hold a whole environment's
    // services for long): a target another run holds is left to the start, as that run usually ends
    // before two people have approved (trading stop, then trading start).
    return this.queries.refuseIfBusy(kind.target?.(input), kind.covers?.(input), 'queue');
  }

  cancel(runId: string, by: string) {
    return this.canceller.requestCancel(runId, by);
  }

  list(limit: number) {
    return this.queries.listRuns({ limit });
  }

  get(runId: string) {
    return this.queries.getRun(runId);
  }

  forApproval(approvalId: string) {
    return this.queries.runForApproval(approvalId);
  }
}

import type { Runs, StartRunRequest } from '../handlers/core/runs.ts';
import type { AnyRunKind } from './run-definition.ts';
import type { RunQueue } from './run-queue.ts';
import type { RunCanceller } from './run-cancellation.ts';
import type { RunQueries } from './run-queries.ts';

/** The handlers' `Runs` over the run queue, the canceller and the run store. */
export class JobRuns implements Runs {
  constructor(
    private readonly queue: RunQueue,
    private readonly canceller: RunCanceller,
    private readonly queries: RunQueries,
  ) {}

  async start(kind: AnyRunKind, request: StartRunRequest) {
    const { thread, approvalId, idempotencyKey = approvalId, ...rest } = request;
    const created = await this.queue.submit(kind, {
      ...rest,
      ...(approvalId ? { approvalId } : {}),
      ...(idempotencyKey ? { idempotencyKey } : {}),
      ...(thread ? { thread } : {}),
    });
    return { runId: created.run.id, created: created.created, waitingFor: created.waitingFor };
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
}

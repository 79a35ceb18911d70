import { AppError } from '../app-error.ts';
import type { Runs, StartRunRequest } from '../handlers/core/runs.ts';
import type { AnyRunKind } from './run-definition.ts';
import type { RunQueue } from './run-queue.ts';
import type { RunCanceller } from './run-cancellation.ts';
import type { RunQueries } from './run-queries.ts';

/** The handlers' `Runs` over the run queue, the canceller and the run store. */
export class JobRuns implements Runs {
  private readonly kinds: Map<string, AnyRunKind>;

  constructor(
    kinds: readonly AnyRunKind[],
    private readonly queue: RunQueue,
    private readonly canceller: RunCanceller,
    private readonly queries: RunQueries,
  ) {
    this.kinds = new Map(kinds.map((k) => [k.kind, k]));
  }

  async start(kind: string, request: StartRunRequest) {
    const definition = this.kinds.get(kind);
    if (!definition) throw new AppError('unknown_run_kind', `This bot version cannot run \`${kind}\`.`);
    const created = await this.queue.submit(definition, {
      ...request,
      ...(request.approvalId ? { idempotencyKey: request.approvalId } : {}),
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

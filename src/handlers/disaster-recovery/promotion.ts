import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../app-error.ts';
import type { Cluster, StatefulSetStatus } from '../../cluster/cluster.ts';

const POLL_MS = 500;

/** Waits until every pod of the StatefulSet runs the promoted template (POSTGRES_ROLE=primary) and is ready. */
export async function waitForPromotion(
  cluster: Pick<Cluster, 'getStatefulSet'>,
  environment: string,
  name: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<StatefulSetStatus> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  let last: StatefulSetStatus | undefined;
  for (;;) {
    last = await cluster.getStatefulSet(environment, name);
    if (last.env.postgres?.POSTGRES_ROLE === 'primary' && last.rolledOut && last.ready > 0) return last;
    try {
      await sleep(POLL_MS, undefined, { signal: deadline });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new AppError(
        'promotion_timeout',
        `${name} in ${environment} was not ready as primary within ${Math.round(timeoutMs / 1000)} s (${last.ready}/${last.desired} ready, ${last.updated} updated); the Service was not repointed.`,
        { kind: 'upstream' },
      );
    }
  }
}

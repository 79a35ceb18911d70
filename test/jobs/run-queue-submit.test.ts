import { describe, expect, it } from 'vitest';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import { RunQueue } from '../../src/jobs/run-queue.ts';
import type { Redis } from '../../src/redis/redis-connection.ts';
import { createLogger } from '../../src/logger.ts';
import { MemoryRunStore } from '../support/memory-run-store.ts';

/** Redis refusing the job (OOM, a read-only replica) after the run was recorded in PostgreSQL. */
class RefusingQueue extends RunQueue {
  override enqueue(): Promise<void> {
    return Promise.reject(new Error('OOM command not allowed when used memory > maxmemory'));
  }
}

describe('submitting a run when Redis refuses its job', () => {
  it('reports the recorded run (the reconciler enqueues it), never a failure that the run later contradicts', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    const store = new MemoryRunStore();
    const queue = new RefusingQueue({ connection: {} as Redis, prefix: 'unused', store, logger });
    const kind = defineRunKind<unknown>({
      kind: 'scale',
      steps: [{ id: 'scale', title: 'Scale', run: async () => undefined }],
    });

    const created = await queue.submit(kind, { input: {}, requestId: 'req_1', requestedBy: 'U0ALICE', teamId: 'T1' });
    expect(created).toMatchObject({ created: true, startable: true, run: { status: 'queued' } });
    // Left for the reconciler, which enqueues every queued run without a job.
    expect((await store.runsToEnqueue()).map((r) => r.id)).toEqual([created.run.id]);
    expect(lines.join('')).toContain('run recorded but not enqueued');
  });
});

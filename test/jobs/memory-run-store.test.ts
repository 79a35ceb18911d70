import type { RunRecord } from '../../src/jobs/run-record.ts';
import { MemoryRunStore } from '../support/memory-run-store.ts';
import { runStoreContract } from '../support/run-store-contract.ts';

runStoreContract('MemoryRunStore', async () => {
  const finished: RunRecord[] = [];
  const store = new MemoryRunStore({ onFinished: async (run) => void finished.push(run) });
  return {
    store,
    finished,
    loseHandOver: async (target) => store.loseHandOver(target),
    close: async () => undefined,
  };
});

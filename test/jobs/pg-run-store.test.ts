import type { RunRecord } from '../../src/jobs/run-record.ts';
import { createLogger } from '../../src/logger.ts';
import { createPool, migrate } from '../../src/store/database.ts';
import { PgRunStore } from '../../src/store/pg-run-store.ts';
import { isolate } from '../support/isolation.ts';
import { runStoreContract } from '../support/run-store-contract.ts';

const logger = createLogger({ level: 'silent' });

runStoreContract('PgRunStore', async () => {
  const own = isolate('run_store_contract');
  const pool = createPool({ url: own.databaseUrl, schema: own.schema }, logger);
  await migrate(pool, own.schema, logger);
  const finished: RunRecord[] = [];
  return {
    store: new PgRunStore(pool, async (_client, run) => void finished.push(run)),
    finished,
    loseHandOver: async (target) => void (await pool.query('DELETE FROM run_targets WHERE target = $1', [target])),
    close: async () => {
      await pool.end();
      await own.cleanup();
    },
  };
});

import { createLogger } from '../../src/logger.ts';
import { createPool, migrate } from '../../src/store/database.ts';
import { PgApprovalStore } from '../../src/store/pg-approval-store.ts';
import { approvalStoreContract } from '../support/approval-store-contract.ts';
import { isolate } from '../support/isolation.ts';

const logger = createLogger({ level: 'silent' });

approvalStoreContract('PgApprovalStore', async (now) => {
  const own = isolate('approval_contract');
  const pool = createPool({ url: own.databaseUrl, schema: own.schema }, logger);
  await migrate(pool, own.schema, logger);
  return {
    store: new PgApprovalStore(pool, now),
    close: async () => {
      await pool.end();
      await own.cleanup();
    },
  };
});

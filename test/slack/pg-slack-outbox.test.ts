import { createLogger } from '../../src/logger.ts';
import { createPool, migrate } from '../../src/store/database.ts';
import { PgSlackOutbox } from '../../src/store/pg-slack-outbox.ts';
import { isolate } from '../support/isolation.ts';
import { slackOutboxContract } from '../support/slack-outbox-contract.ts';

const logger = createLogger({ level: 'silent' });

slackOutboxContract('PgSlackOutbox', async () => {
  const own = isolate('outbox_contract');
  const pool = createPool({ url: own.databaseUrl, schema: own.schema }, logger);
  await migrate(pool, own.schema, logger);
  return {
    outbox: new PgSlackOutbox(pool, own.schema),
    close: async () => {
      await pool.end();
      await own.cleanup();
    },
  };
});

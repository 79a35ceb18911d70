import { MemorySlackOutbox } from '../support/memory-slack-outbox.ts';
import { slackOutboxContract } from '../support/slack-outbox-contract.ts';

slackOutboxContract('MemorySlackOutbox', async () => ({
  outbox: new MemorySlackOutbox(),
  close: async () => undefined,
}));

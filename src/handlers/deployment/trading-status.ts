import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { environmentInput } from '../core/cluster-inputs.ts';
import { platformStatusReply } from '../core/platform-status-reply.ts';

export const tradingStatus = defineAction({
  id: 'trading status',
  kind: 'query',
  chapter: 'Deployment',
  summary: "Whether trading runs, as the platform's `eafix-cli status` answers (run as a Job)",
  input: z.object({ environment: environmentInput }),
  risk: 'read',
  permission: 'trading.status',
  examples: ['trading status', 'trading status --environment=staging'],
  run: ({ environment }, context) => platformStatusReply('trading', environment, context),
});

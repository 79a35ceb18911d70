import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { environmentInput } from '../core/cluster-inputs.ts';
import { diagnosisReply, runChecks } from './diagnosis.ts';
import { dataFeedChecks } from './data-feed-checks.ts';

export const diagnoseDataFeed = defineAction({
  id: 'diagnose data-feed',
  kind: 'query',
  chapter: 'Troubleshooting',
  summary:
    'Diagnose a market data interruption (runbook: feed, latest tick, provider test, ingestor logs), with remedies',
  input: z.object({ environment: environmentInput }),
  risk: 'read',
  permission: 'monitoring.read',
  examples: ['diagnose data-feed', 'diagnose data-feed --environment=dr'],
  run: async (input, ctx) =>
    diagnosisReply(`Data feed diagnosis (${input.environment})`, await runChecks(dataFeedChecks, input, ctx)),
});

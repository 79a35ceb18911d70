import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { environmentInput } from '../core/cluster-inputs.ts';
import { diagnosisReply, runChecks } from './diagnosis.ts';
import { latencyChecks } from './latency-checks.ts';

export const diagnoseLatency = defineAction({
  id: 'diagnose latency',
  kind: 'query',
  chapter: 'Troubleshooting',
  summary:
    'Diagnose high API latency (runbook: p95, slowest endpoints, database performance, cache hit rate), with remedies',
  input: z.object({
    environment: environmentInput,
    service: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'must be a service name such as risk-manager')
      .optional()
      .describe('narrow the latency checks to one service'),
  }),
  risk: 'read',
  permission: 'monitoring.read',
  examples: ['diagnose latency', 'diagnose latency --service=risk-manager --environment=staging'],
  run: async (input, ctx) => {
    const findings = await runChecks(latencyChecks, input, ctx);
    const where = `${input.environment}${input.service ? `, ${input.service}` : ''}`;
    return diagnosisReply(`Latency diagnosis (${where})`, findings);
  },
});

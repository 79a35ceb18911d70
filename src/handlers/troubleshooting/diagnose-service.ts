import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, serviceInput } from '../core/cluster-inputs.ts';
import { diagnosisReply, runChecks } from './diagnosis.ts';
import { serviceChecks } from './service-checks.ts';
import { resolveTarget } from '../../cluster/cluster-targets.ts';

export const diagnoseService = defineAction({
  id: 'diagnose service',
  kind: 'query',
  chapter: 'Troubleshooting',
  summary: 'Diagnose a service that is not responding (runbook: pods, logs, resources, dependencies), with remedies',
  positional: ['service'],
  input: z.object({ service: serviceInput, environment: environmentInput }),
  risk: 'read',
  permission: 'cluster.read',
  examples: ['diagnose service risk-manager', 'diagnose service data-ingestor --environment=staging'],
  run: async (input, ctx) => {
    // An unknown service is one clear refusal, not four failed checks.
    resolveTarget(ctx.deps.topology, input.service);
    const findings = await runChecks(serviceChecks, input, ctx);
    return diagnosisReply(`Service diagnosis: ${input.service} (${input.environment})`, findings);
  },
});

import { z } from 'zod';
import { namespaceFor } from '../../cluster/cluster-targets.ts';
import { readKpis } from './kpi-readings.ts';
import { environmentInput } from '../core/cluster-inputs.ts';
import { defineAction } from '../core/define-action.ts';
import { context, header, sections } from '../core/reply.ts';
import { kpiSummary, kpiText } from './kpi-lines.ts';

export const kpis = defineAction({
  id: 'kpis',
  kind: 'query',
  chapter: 'Monitoring',
  summary: "The runbook's KPIs as traffic lights against its target, warning and critical thresholds",
  input: z.object({ environment: environmentInput }),
  risk: 'read',
  permission: 'monitoring.read',
  examples: ['kpis', 'kpis --environment=staging'],
  run: async ({ environment }, { deps }) => {
    const monitoring = deps.monitoring;
    const namespace = namespaceFor(deps.topology, environment);
    const readings = await readKpis(monitoring.prometheus, monitoring.kpis, { environment, namespace });
    const source = monitoring.prometheus ? `Prometheus at ${monitoring.prometheus.url}` : 'no Prometheus configured';
    return {
      text: `EAFIX KPIs (${environment}): ${kpiSummary(readings)}`,
      blocks: [
        header(`EAFIX KPIs — ${environment}`),
        ...sections(kpiText(readings)),
        context(`From ${source}. Thresholds: runbook Monitoring and Alerting, or the policy file's monitoring.kpis.`),
      ],
    };
  },
});

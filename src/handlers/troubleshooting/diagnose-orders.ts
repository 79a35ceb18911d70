import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { environmentInput } from '../core/cluster-inputs.ts';
import { diagnosisReply, runChecks } from './diagnosis.ts';
import { ordersChecks } from './orders-checks.ts';

export const diagnoseOrders = defineAction({
  id: 'diagnose orders',
  kind: 'query',
  chapter: 'Troubleshooting',
  summary: 'Diagnose failing trading orders (runbook: brokers, risk manager, failed orders, balances), with remedies',
  input: z.object({ environment: environmentInput }),
  risk: 'read',
  permission: 'trading.read',
  examples: ['diagnose orders', 'diagnose orders --environment=staging'],
  run: async (input, ctx) =>
    diagnosisReply(`Orders diagnosis (${input.environment})`, await runChecks(ordersChecks, input, ctx)),
});

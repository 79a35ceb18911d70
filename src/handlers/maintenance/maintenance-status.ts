import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { environmentInput } from '../core/cluster-inputs.ts';
import { platformStatusReply } from '../core/platform-status-reply.ts';

export const maintenanceStatus = defineAction({
  id: 'maintenance status',
  kind: 'query',
  chapter: 'Maintenance',
  summary: "Whether maintenance mode is on, as the platform's `eafix-cli status` answers (run as a Job)",
  input: z.object({ environment: environmentInput }),
  risk: 'read',
  permission: 'maintenance.status',
  examples: ['maintenance status', 'maintenance status --environment=staging'],
  run: ({ environment }, context) => platformStatusReply('maintenance', environment, context),
});

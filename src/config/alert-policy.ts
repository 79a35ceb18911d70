import { z } from 'zod';
import { durationSchema } from './incident-policy.ts';

/**
 * Alert intake (Alertmanager → POST /alertmanager on web). Alerts post to `channel` (default: the ops
 * channel); a critical alert opens an incident (and so starts its escalation) unless `openIncident` is off.
 */
export const alertPolicySchema = z
  .object({
    channel: z
      .string()
      .regex(
        /^#?[a-z0-9][a-z0-9_-]{0,79}$|^[CG][A-Z0-9]{2,}$/,
        'must be a channel name like eafix-ops or an id like C0123',
      )
      .transform((v) => v.replace(/^#/, ''))
      .optional(),
    openIncident: z.boolean().default(true),
    /** How recent a deploy or rollback must be for high_error_rate to offer "Roll back the last deploy". */
    rollbackWindow: durationSchema.prefault('1h'),
  })
  .prefault({});

export type AlertPolicy = z.infer<typeof alertPolicySchema>;

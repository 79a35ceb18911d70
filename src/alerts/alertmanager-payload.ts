import { z } from 'zod';

/**
 * Alertmanager's webhook payload, version 4 (prometheus/alertmanager notify/webhook: Message is
 * template.Data plus version, groupKey and truncatedAlerts). Unknown fields are ignored; what the bot
 * reads is checked, with bounds so one request cannot make an unbounded message or row.
 */
const labelSet = z.record(z.string().max(256), z.string().max(4_096)).refine((l) => Object.keys(l).length <= 64, {
  message: 'at most 64 labels',
});
const timestamp = z.string().datetime({ offset: true });

export const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet.refine((l) => typeof l.alertname === 'string' && l.alertname.length > 0, {
    message: 'every alert needs an alertname label',
  }),
  annotations: labelSet.default({}),
  startsAt: timestamp,
  /** "0001-01-01T00:00:00Z" while firing with no end known. */
  endsAt: timestamp.optional(),
  generatorURL: z.string().max(4_096).default(''),
  fingerprint: z.string().regex(/^[0-9a-f]{1,32}$/, 'must be the alert fingerprint Alertmanager computes (hex)'),
});

export const alertmanagerPayloadSchema = z.object({
  version: z.literal('4', { message: 'only version 4 of the Alertmanager webhook payload is understood' }),
  groupKey: z.string().min(1).max(4_096),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(256),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalURL: z.string().max(4_096).default(''),
  alerts: z.array(alertSchema).min(1).max(1_000),
});

export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;
export type AlertmanagerAlert = z.infer<typeof alertSchema>;

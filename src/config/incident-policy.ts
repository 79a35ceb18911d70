import { z } from 'zod';
import { securityContactsSchema } from './contacts-policy.ts';

export const severities = ['critical', 'high', 'medium', 'low'] as const;
export const incidentTypes = ['ops', 'security'] as const;
export const severitySchema = z.enum(severities);
export const incidentTypeSchema = z.enum(incidentTypes);
export type Severity = z.infer<typeof severitySchema>;
export type IncidentType = z.infer<typeof incidentTypeSchema>;

const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `200ms`, `30s`, `15m`, `1h`, `2d` → milliseconds (tests configure short delays; production the runbook's). */
export const durationSchema = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'must be a duration like 200ms, 30s, 15m, 1h or 2d')
  .transform((value) => {
    const [, amount = '0', unit = 'ms'] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value) ?? [];
    return Math.round(Number(amount) * (units[unit] ?? 1));
  });

const perSeverity = (defaults: Record<Severity, string>) =>
  z
    .object({
      critical: durationSchema.prefault(defaults.critical),
      high: durationSchema.prefault(defaults.high),
      medium: durationSchema.prefault(defaults.medium),
      low: durationSchema.prefault(defaults.low),
    })
    .prefault({});

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id like U0123ABCD');
const usergroupRef = z
  .string()
  .regex(/^(S[A-Z0-9]{2,}|@?[a-z0-9][a-z0-9._-]*)$/, 'must be a user group id (S0123) or handle (@oncall)');

/** The runbook's Security Incident Response phases, with their deadlines from declaration. */
const runbookPhases = [
  { name: 'Detection and analysis', deadline: '30m' },
  { name: 'Containment', deadline: '1h' },
  { name: 'Eradication', deadline: '4h' },
  { name: 'Recovery', deadline: '24h' },
  { name: 'Lessons learned', deadline: '48h' },
];

/** The `incidents` section of the policy file: war rooms, response teams, reminders and escalation. */
export const incidentPolicySchema = z.object({
  /** War rooms are named `<prefix>-<incident id>`, e.g. inc-20261123-003. */
  channelPrefix: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,19}$/)
    .default('inc'),
  /** Who is invited to a war room, by incident type and severity (every matching entry applies). */
  responseTeams: z
    .array(
      z.object({
        types: z.array(incidentTypeSchema).default([...incidentTypes]),
        severities: z.array(severitySchema).default([...severities]),
        users: z.array(slackUserId).default([]),
        usergroups: z.array(usergroupRef).default([]),
      }),
    )
    .default([]),
  /** When the next update is due after each update (runbook template: "Next Update: In 30 minutes"). */
  updateInterval: perSeverity({ critical: '30m', high: '30m', medium: '30m', low: '30m' }),
  /** Security incidents: the runbook's response time by severity; unacknowledged, they escalate at it (level 2) and twice it (level 3). */
  securityResponseTime: perSeverity({ critical: '15m', high: '1h', medium: '4h', low: '24h' }),
  escalation: z
    .object({
      /** Level 2: page the on-call when nobody acknowledged by then. */
      level2After: durationSchema.prefault('15m'),
      /** Level 3: notify the senior engineering group in the war room. */
      level3After: durationSchema.prefault('30m'),
      seniorEngineering: usergroupRef.optional(),
    })
    // Levels come in order: a level-3 timer first announces level 2, so it must not be due before it.
    .refine((e) => e.level3After >= e.level2After, {
      error: (issue) => {
        const { level2After, level3After } = issue.input as { level2After: number; level3After: number };
        return `level3After (${level3After / 60_000} min) must not be shorter than level2After (${level2After / 60_000} min): level 3 follows level 2`;
      },
      path: ['level3After'],
    })
    .prefault({}),
  pagerduty: z
    .object({
      /** Events API v2 endpoint; the sandbox points this at its emulator. */
      url: z.url({ protocol: /^https?$/ }).default('https://events.pagerduty.com/v2/enqueue'),
      /** Secret: prefer the PAGERDUTY_ROUTING_KEY environment variable. */
      routingKey: z
        .string()
        .regex(/^[A-Za-z0-9]{32}$/, 'must be a 32-character integration key')
        .optional(),
    })
    .prefault({}),
  securityPhases: z
    .array(z.object({ name: z.string().min(3).max(60), deadline: durationSchema }))
    .min(1)
    .max(10)
    .prefault(runbookPhases),
  /**
   * Containment buttons on security incidents: a command run as the person who clicks, through RBAC and
   * approval like any other. `{incident}` and (with perSystem) `{system}` are filled in.
   */
  containmentActions: z
    .array(
      z.object({
        label: z.string().min(2).max(60),
        command: z.string().min(2),
        perSystem: z.boolean().default(false),
      }),
    )
    .max(10)
    .default([]),
  /**
   * Where containment requests are filed: `ops` (the policy's ops channel, where channel restrictions on
   * destructive actions usually point and approvers watch; the war room gets a note) or `war-room`.
   */
  containmentIn: z.enum(['ops', 'war-room']).default('ops'),
  /** The runbook's Emergency Contacts (security escalation), with Page buttons on security incidents. */
  securityContacts: securityContactsSchema,
});

export type IncidentPolicy = z.infer<typeof incidentPolicySchema>;

import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { environmentInput, reasonInput } from '../core/cluster-inputs.ts';
import { SET_BY_PLAN } from '../core/action-fields.ts';

/** The runbook's Prerequisites Checklist, confirmed by the requester and recorded with the request. */
export const PREREQUISITES = {
  ci: 'All CI/CD pipeline tests passed',
  scans: 'Security scans completed with no critical issues',
  migrations: 'Database migrations tested in staging',
  'rollback-plan': 'Rollback plan documented',
  stakeholders: 'Stakeholders notified of the deployment window',
  dashboards: 'Monitoring dashboards prepared',
  support: 'Support team on standby',
} as const;
export type Prerequisite = keyof typeof PREREQUISITES;
const ALL = Object.keys(PREREQUISITES) as Prerequisite[];
const isPrerequisite = (word: string): word is Prerequisite => Object.hasOwn(PREREQUISITES, word);

/** A Docker tag: what the new version's images are tagged with. */
const versionInput = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be an image tag such as 2.5.0')
  .describe('the version (image tag) to deploy');

export const deployInput = z.object({
  version: versionInput,
  environment: environmentInput,
  migrate: z.boolean().default(false).describe('stop trading and run the database migrations (alembic upgrade head)'),
  // Left out, the command opens the deploy form (a modal) to tick the items; given, it is the scriptable path.
  // Either way the confirmed items are kept in the canonical order, and that list is what is recorded.
  checklist: z
    .union([z.array(z.string()), z.string()])
    .transform((given, ctx): Prerequisite[] => {
      const words = (typeof given === 'string' ? given.split(/[,\s]+/) : given)
        .map((w) => w.trim().toLowerCase())
        .filter((w) => w !== '');
      if (words.includes('all')) return ALL;
      const unknown = words.filter((w) => !isPrerequisite(w));
      if (unknown.length > 0)
        ctx.addIssue({
          code: 'custom',
          message: `unknown item(s) ${unknown.join(', ')}; the items are ${ALL.join(', ')} (or all)`,
        });
      return ALL.filter((p) => words.includes(p));
    })
    .optional()
    .describe(
      `the prerequisites you confirm: all, or a comma list of ${ALL.join(', ')} (left out: a form to tick them)`,
    ),
  reason: reasonInput,
  // Fixed from the approved plan (runInput), so every step acts on what was approved.
  colour: z.enum(['blue', 'green']).optional().describe('the idle colour deployed to').meta(SET_BY_PLAN),
  from: z.enum(['blue', 'green']).optional().describe('the live colour before the deploy').meta(SET_BY_PLAN),
  image: z.string().optional().describe('the new image').meta(SET_BY_PLAN),
  replicas: z.number().int().min(1).optional().describe('replicas of the new colour').meta(SET_BY_PLAN),
  idleBefore: z
    .object({ image: z.string(), replicas: z.number().int().min(0) })
    .optional()
    .describe("the idle colour's image and replicas before the deploy (what Roll back restores)")
    .meta(SET_BY_PLAN),
});

export type DeployInput = z.infer<typeof deployInput>;

/** The items of the checklist not confirmed, in the runbook's order. */
export function missingPrerequisites(confirmed: readonly string[] | undefined): Prerequisite[] {
  return ALL.filter((p) => !(confirmed ?? []).includes(p));
}

/** The confirmed prerequisites; refuses, listing what is missing, unless all seven are confirmed. */
export function confirmedPrerequisites(checklist: Prerequisite[] | undefined): Prerequisite[] {
  const missing = missingPrerequisites(checklist);
  if (missing.length === 0) return ALL;
  throw new AppError(
    'prerequisites_unconfirmed',
    `A deploy needs the runbook's Prerequisites Checklist confirmed. Not confirmed: ${missing.map((m) => `${m} (${PREREQUISITES[m]})`).join('; ')}.`,
    {
      hints: [
        'Leave `--checklist` out to tick the items in the deploy form, or confirm them with `--checklist=all` once each holds, e.g. `/eafix deploy 2.5.0 --checklist=all --reason "release 2.5"`',
      ],
    },
  );
}

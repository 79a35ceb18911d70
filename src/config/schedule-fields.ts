/** The fields every scheduled thing in the policy shares (digests, DR schedules, maintenance windows). */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const timezoneSchema = z
  .string()
  .default('UTC')
  .refine(validTimeZone, 'must be an IANA time zone like Europe/London');

/** Adds an issue on `cron` when it does not parse in its time zone (a schema's superRefine step). */
export function checkCron(value: { cron: string; timezone: string }, ctx: z.RefinementCtx): void {
  try {
    CronExpressionParser.parse(value.cron, { tz: value.timezone });
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      path: ['cron'],
      message: `not a cron pattern: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}

/**
 * When a maintenance window's occurrences are: the one in progress or the next, from its cron pattern
 * and duration, and the stable id each occurrence is recorded under.
 */
import { CronExpressionParser } from 'cron-parser';
import { AppError } from '../../app-error.ts';
import type { MaintenanceWindowSpec } from '../../config/maintenance-policy.ts';
import type { ActionDeps } from '../core/action-deps.ts';

export interface Occurrence {
  startsAt: Date;
  endsAt: Date;
}

/** The next `count` occurrences that have not ended at `now`, the one in progress first. */
export function occurrences(spec: MaintenanceWindowSpec, now: Date, count: number): Occurrence[] {
  // An occurrence that began less than one duration ago is still open: start the search that far back.
  const cron = CronExpressionParser.parse(spec.cron, {
    tz: spec.timezone,
    currentDate: new Date(now.getTime() - spec.duration),
  });
  const out: Occurrence[] = [];
  while (out.length < count) {
    const startsAt = cron.next().toDate();
    const endsAt = new Date(startsAt.getTime() + spec.duration);
    if (endsAt > now) out.push({ startsAt, endsAt });
  }
  return out;
}

export const occurrenceId = (window: string, startsAt: Date): string => `${window}@${startsAt.toISOString()}`;

/** The policy's window, or a refusal naming the windows there are. */
export function windowSpec(deps: Pick<ActionDeps, 'maintenance'>, window: string): MaintenanceWindowSpec {
  const spec = deps.maintenance.policy.windows[window];
  if (!spec || !spec.enabled)
    throw new AppError('unknown_window', `There is no maintenance window called \`${window}\`.`, {
      hints: [`Windows: ${enabledWindows(deps).join(', ') || 'none'} (see \`/eafix maintenance windows\`).`],
    });
  return spec;
}

export function enabledWindows(deps: Pick<ActionDeps, 'maintenance'>): string[] {
  return Object.entries(deps.maintenance.policy.windows)
    .filter(([, spec]) => spec.enabled)
    .map(([name]) => name);
}

const fmt = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  hour12: false,
});

/** `Sun, 6 Dec 2026, 02:00–04:00 UTC`. */
export function describeOccurrence(o: Occurrence): string {
  const end = o.endsAt.toISOString().slice(11, 16);
  return `${fmt.format(o.startsAt)}–${end} UTC`;
}

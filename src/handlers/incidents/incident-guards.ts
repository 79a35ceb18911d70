import { AppError } from '../../app-error.ts';
import type { Incident } from './incident-types.ts';

/** Changes to a resolved incident are refused: it is closed, its timers cancelled and its postmortem drafted. */
export function assertOpen(incident: Incident): void {
  if (incident.status === 'resolved') throw resolvedError(incident);
}

export function resolvedError(incident: Incident): AppError {
  return new AppError('incident_resolved', `${incident.id} is already resolved.`);
}

import { AppError, isAppError } from '../app-error.ts';
import { isDatabaseUnavailable } from '../store/database.ts';

/**
 * A click that failed because PostgreSQL is unreachable gets the same clear "cannot vouch" answer as a
 * command: the person learns the bot could not record it, not that "something went wrong".
 */
export function failClosed(error: unknown): unknown {
  // The audit log is PostgreSQL too: a click it could not record before acting gets the same answer.
  const down = isDatabaseUnavailable(error) || (isAppError(error) && error.code === 'audit_unavailable');
  if (!down) return error;
  return new AppError(
    'database_unavailable',
    'The database (PostgreSQL) is unavailable, so I cannot vouch for that click: it may not have been recorded. The approval message shows where the request stands; try again shortly.',
    { kind: 'upstream', cause: error },
  );
}

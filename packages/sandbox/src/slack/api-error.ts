import type { Json } from './types.ts';

/** Thrown by method handlers; becomes `{ ok: false, error, ...extra }` with HTTP 200, like Slack. */
export class SlackApiError extends Error {
  readonly error: string;
  readonly extra: Json;

  constructor(error: string, extra: Json = {}) {
    super(error);
    this.name = 'SlackApiError';
    this.error = error;
    this.extra = extra;
  }
}

/** Slack's "[ERROR] …" response_metadata wrapper for validation problems. */
export function validationError(error: string, problems: string[]): SlackApiError {
  return new SlackApiError(error, {
    errors: problems,
    response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
  });
}

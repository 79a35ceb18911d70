/**
 * The one error type the bot shows to people. `userMessage` is safe for Slack; `code` is stable
 * so tests and the audit log can rely on it. Anything that is not an AppError is a bug and is shown
 * as "Something went wrong (ref …)" with the details only in the log.
 */
export type ErrorKind = 'domain' | 'upstream';

export class AppError extends Error {
  readonly code: string;
  readonly userMessage: string;
  /** Domain errors are the user's or the world's state: never retried. Upstream errors back off. */
  readonly kind: ErrorKind;
  /** Extra lines shown under the message: usage, examples, suggestions. */
  readonly hints: string[];

  constructor(
    code: string,
    userMessage: string,
    options: { cause?: unknown; kind?: ErrorKind; hints?: string[] } = {},
  ) {
    super(userMessage, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.userMessage = userMessage;
    this.kind = options.kind ?? 'domain';
    this.hints = options.hints ?? [];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

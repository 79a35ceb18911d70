import { randomBytes } from 'node:crypto';
import { isAppError } from '../../app-error.ts';
import type { Logger } from '../../logger.ts';
import { context, section, type Reply } from './reply.ts';

/**
 * The single mapper from errors to what a person sees. AppErrors show their message and hints;
 * anything else is a bug: the person gets a reference, the log gets the details.
 */
export function errorReply(error: unknown, logger: Logger): Reply & { code: string } {
  if (isAppError(error)) {
    const text = `:warning: ${error.userMessage}`;
    return {
      code: error.code,
      text: [text, ...error.hints].join('\n'),
      blocks: [section(text), ...(error.hints.length ? [context(error.hints.join('\n'))] : [])],
      visibility: 'ephemeral',
    };
  }
  const ref = randomBytes(3).toString('hex');
  logger.error({ err: error, ref }, 'unexpected error');
  const text = `:x: Something went wrong (ref ${ref}). The on-call bot maintainers can find it in the logs.`;
  return { code: 'internal_error', text, blocks: [section(text)], visibility: 'ephemeral' };
}

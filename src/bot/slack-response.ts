import type { Reply } from '../handlers/core/reply.ts';

/** A Reply as the body of an ack or a response_url post. */
export function toSlackResponse(reply: Reply): Record<string, unknown> {
  return {
    response_type: reply.visibility ?? 'ephemeral',
    text: reply.text,
    ...(reply.blocks ? { blocks: reply.blocks } : {}),
  };
}

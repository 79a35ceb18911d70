import type { Reply } from '../handlers/core/reply.ts';

const responses = new WeakMap<Reply, Readonly<Record<string, unknown>>>();

/**
 * A Reply as the body of an ack or a response_url post. A deeply frozen reply (one rendered once and
 * served to everyone, like the help list) gets one frozen response, so its bytes are encoded once too.
 */
export function toSlackResponse(reply: Reply): Readonly<Record<string, unknown>> {
  const cached = responses.get(reply);
  if (cached) return cached;
  const response = {
    response_type: reply.visibility ?? 'ephemeral',
    text: reply.text,
    ...(reply.blocks ? { blocks: reply.blocks } : {}),
  };
  if (!Object.isFrozen(reply)) return response;
  const frozen = Object.freeze(response);
  responses.set(reply, frozen);
  return frozen;
}

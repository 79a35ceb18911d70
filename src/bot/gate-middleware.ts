import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { withRequestId, type Logger } from '../logger.ts';
import type { InboundGate } from './inbound-gate.ts';
import { newRequestId } from './slack-http-receiver.ts';

/**
 * Socket Mode has no HTTP receiver of ours, so the same gate (shape, installation, replay, text) runs as
 * Bolt's first global middleware there. A refused request is acknowledged with the refusal and goes no
 * further; an admitted one carries the request id and logger the listeners expect.
 */
export function gateMiddleware(gate: InboundGate, baseLogger: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const { body, context, next } = args;
    const ack =
      'ack' in args && typeof args.ack === 'function' ? (args.ack as (response?: unknown) => Promise<void>) : undefined;
    const requestId = newRequestId();
    const logger = withRequestId(baseLogger, requestId);
    const verdict = await gate.admit(body as Record<string, unknown>, {
      requestId,
      logger,
      retryNum: context.retryNum,
    });
    if (!verdict.admit) {
      await ack?.(verdict.body === '' ? undefined : verdict.body);
      return;
    }
    Object.assign(context, { requestId, requestLogger: logger, replayUnverified: verdict.replayUnverified });
    await next();
  };
}

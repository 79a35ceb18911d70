import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRoute } from '../bot/slack-http-receiver.ts';
import type { Logger } from '../logger.ts';
import type { AlertIntake } from './alert-intake.ts';
import { alertmanagerPayloadSchema } from './alertmanager-payload.ts';

const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface AlertmanagerRouteOptions {
  /** ALERTMANAGER_TOKEN; without it every delivery is refused (fail closed). */
  token: string | undefined;
  intake: Pick<AlertIntake, 'receive'>;
  logger: Logger;
}

/** Compares digests, so neither the token's length nor its content leaks through timing. */
const sameSecret = (given: string, expected: string) =>
  timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());

function send(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * POST /alertmanager on the web role: Alertmanager's webhook (payload version 4) behind a bearer token.
 * Bad input is a 4xx Alertmanager does not retry; a delivery is answered 2xx only once it is recorded in
 * PostgreSQL (and its incident opened), so a failure (5xx) is retried and nothing is lost.
 */
export function alertmanagerRoute({ token, intake, logger }: AlertmanagerRouteOptions): HttpRoute {
  return {
    prefix: '/alertmanager',
    handle: async (req, res) => {
      const requestId = `alert_${randomBytes(6).toString('hex')}`;
      const log = logger.child({ requestId, component: 'alertmanager' });
      if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' }, { allow: 'POST' });
      if (!token) {
        log.error('alert delivery refused: ALERTMANAGER_TOKEN is not set');
        return send(res, 503, { error: 'alert_intake_not_configured' });
      }
      const auth = req.headers.authorization ?? '';
      const given = /^Bearer (.+)$/i.exec(auth)?.[1];
      if (!given || !sameSecret(given, token)) {
        log.warn({ ip: req.socket.remoteAddress }, 'alert delivery refused: bad or missing bearer token');
        return send(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
      }
      if (!(req.headers['content-type'] ?? '').includes('application/json'))
        return send(res, 415, { error: 'unsupported_media_type', expected: 'application/json' });
      const raw = await readBody(req);
      if (raw === undefined) return send(res, 413, { error: 'body_too_large' });
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        return send(res, 400, { error: 'unparseable_body' });
      }
      const parsed = alertmanagerPayloadSchema.safeParse(json);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
        log.warn({ issues }, 'alert delivery refused: not an Alertmanager v4 payload');
        return send(res, 400, { error: 'invalid_payload', issues });
      }
      const result = await intake.receive(parsed.data, requestId);
      send(res, 200, { status: 'ok', ...result });
    },
  };
}

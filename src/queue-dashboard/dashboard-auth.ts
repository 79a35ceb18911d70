import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** How the dashboard knows who is looking: its own basic-auth account, or an authenticating proxy's header. */
export type DashboardAuth =
  { kind: 'basic'; user: string; password: string } | { kind: 'trusted-header'; header: string };

export type AuthVerdict = { ok: true; who: string } | { ok: false; challenge?: string };

// Compared as digests: equal length, so the comparison takes the same time whatever was sent.
const digest = (text: string) => createHash('sha256').update(text).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** Fail closed: no credentials, wrong credentials or a missing proxy header is a 401. */
export function authenticate(req: IncomingMessage, auth: DashboardAuth): AuthVerdict {
  if (auth.kind === 'trusted-header') {
    const value = req.headers[auth.header.toLowerCase()];
    const who = Array.isArray(value) ? value[0] : value;
    return who ? { ok: true, who } : { ok: false };
  }
  const challenge = 'Basic realm="eafix queues", charset="UTF-8"';
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
  if (!match) return { ok: false, challenge };
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { ok: false, challenge };
  const userOk = same(decoded.slice(0, colon), auth.user);
  const passwordOk = same(decoded.slice(colon + 1), auth.password);
  return userOk && passwordOk ? { ok: true, who: auth.user } : { ok: false, challenge };
}

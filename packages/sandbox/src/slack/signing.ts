import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's v0 request signature: "v0=" + hex HMAC-SHA256 of "v0:<timestamp>:<raw body>". */
export function signSlackRequest(signingSecret: string, timestamp: number | string, rawBody: string): string {
  const hmac = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
  return `v0=${hmac}`;
}

/** Constant-time check of a v0 signature (for test receivers; Bolt does its own). */
export function verifySlackSignature(
  signingSecret: string,
  timestamp: number | string,
  rawBody: string,
  signature: string,
): boolean {
  const expected = Buffer.from(signSlackRequest(signingSecret, timestamp, rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

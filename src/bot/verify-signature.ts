import { createHmac, timingSafeEqual } from 'node:crypto';

export const MAX_SKEW_SECONDS = 5 * 60;

export type SignatureFailure = 'missing_headers' | 'stale_timestamp' | 'bad_signature';

/**
 * Slack's v0 request signature. Unlike Bolt's own check this also refuses timestamps more than five
 * minutes in the future, so a captured request cannot be pre-dated for a later replay.
 */
export function verifySlackSignature(input: {
  signingSecret: string;
  rawBody: string;
  timestampHeader: string | undefined;
  signatureHeader: string | undefined;
  nowSeconds: number;
}): SignatureFailure | undefined {
  const { timestampHeader, signatureHeader } = input;
  if (!timestampHeader || !signatureHeader || !/^\d+$/.test(timestampHeader)) return 'missing_headers';
  const timestamp = Number(timestampHeader);
  if (Math.abs(input.nowSeconds - timestamp) > MAX_SKEW_SECONDS) return 'stale_timestamp';
  const expected = `v0=${createHmac('sha256', input.signingSecret).update(`v0:${timestamp}:${input.rawBody}`).digest('hex')}`;
  const given = Buffer.from(signatureHeader);
  const wanted = Buffer.from(expected);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return 'bad_signature';
  return undefined;
}

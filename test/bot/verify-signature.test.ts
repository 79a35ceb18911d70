import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySlackSignature } from '../../src/bot/verify-signature.ts';

const signingSecret = 'test-signing-secret';
const now = 1_800_000_000;
const sign = (ts: number, body: string, secret = signingSecret) =>
  `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
const check = (ts: number, body: string, signature: string | undefined) =>
  verifySlackSignature({
    signingSecret,
    rawBody: body,
    timestampHeader: String(ts),
    signatureHeader: signature,
    nowSeconds: now,
  });

describe('verifySlackSignature', () => {
  it('accepts a correctly signed, fresh request', () => {
    expect(check(now - 10, 'text=help', sign(now - 10, 'text=help'))).toBeUndefined();
  });
  it('refuses a forged signature, a tampered body and a missing header', () => {
    expect(check(now, 'text=help', sign(now, 'text=help', 'other'))).toBe('bad_signature');
    expect(check(now, 'text=rollback', sign(now, 'text=help'))).toBe('bad_signature');
    expect(check(now, 'text=help', undefined)).toBe('missing_headers');
  });
  it('refuses timestamps more than five minutes old or in the future', () => {
    expect(check(now - 301, 'a', sign(now - 301, 'a'))).toBe('stale_timestamp');
    expect(check(now + 301, 'a', sign(now + 301, 'a'))).toBe('stale_timestamp');
    expect(check(now + 299, 'a', sign(now + 299, 'a'))).toBeUndefined();
  });
});

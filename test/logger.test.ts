import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, prettyTransport, scrubSecrets, withRequestId } from '../src/logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('logger redaction', () => {
  it('blanks tokens, the signing secret and authorization headers wherever they sit', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        config: { SLACK_BOT_TOKEN: 'xoxb-1-2-secret', SLACK_SIGNING_SECRET: 'signing-secret' },
        headers: { authorization: 'Bearer xoxb-9-9-secret', 'x-slack-signature': 'v0=abc' },
        token: 'xoxb-top-level',
      },
      'request',
    );
    const line = lines.join('');
    expect(line).not.toMatch(/xoxb-|signing-secret|v0=abc/);
    expect(line).toContain('[REDACTED]');
  });

  it('scrubs token shapes out of error messages', () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error('invalid_auth for xoxb-1-2-abc at postgres://u:pw@db/x') }, 'failed');
    expect(lines.join('')).not.toMatch(/xoxb-1-2-abc|:pw@/);
  });

  it('scrubs Redis URL passwords and Sentinel passwords', () => {
    const { lines, logger } = capture();
    logger.warn(
      { err: new Error('connect failed: redis://:redis-pw@redis:6379/0'), sentinel: { sentinelPassword: 'sent-pw' } },
      'redis',
    );
    expect(lines.join('')).not.toMatch(/redis-pw|sent-pw/);
  });

  it('scrubSecrets leaves ordinary text alone', () => {
    expect(scrubSecrets('scale risk-manager to 3')).toBe('scale risk-manager to 3');
  });
});

describe('pretty logs', () => {
  it('go through pino-pretty where it is installed (development)', () => {
    expect(prettyTransport()?.target).toMatch(/pino-pretty/);
  });

  it('are plain JSON where pino-pretty is absent (a production install)', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 'pino-pretty'"), { code: 'MODULE_NOT_FOUND' });
    };
    expect(prettyTransport(missing)).toBeUndefined();
  });
});

describe('withRequestId', () => {
  it('adds the request id to every line as child() would, and still redacts what is logged', () => {
    const lines: string[] = [];
    const destination = { write: (line: string) => void lines.push(line) };
    const logger = createLogger({ level: 'info', destination });
    const scoped = withRequestId(logger, 'req_0123456789ab');
    scoped.info({ token: 'xoxb-secret', nested: { password: 'hunter2' } }, 'hello');
    scoped.child({ component: 'x' }).warn('deeper');
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ requestId: 'req_0123456789ab', token: '[REDACTED]', msg: 'hello' });
    expect(first?.nested).toEqual({ password: '[REDACTED]' });
    expect(second).toMatchObject({ requestId: 'req_0123456789ab', component: 'x', msg: 'deeper' });
    expect(lines.join('')).not.toContain('hunter2');
  });

  it('takes an id it did not generate through pino child, escaped', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    withRequestId(logger, 'odd "id"\n').info('x');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ requestId: 'odd "id"\n' });
  });
});

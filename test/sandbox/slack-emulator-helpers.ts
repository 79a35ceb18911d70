import { LogLevel, WebClient } from '@slack/web-api';
import type { Logger } from '@slack/web-api';
import { SlackEmulator } from '@eafix/sandbox/slack';
import type { SlackEmulatorOptions } from '@eafix/sandbox/slack';

export const BOT_TOKEN = 'xoxb-test-token';
export const SIGNING_SECRET = 'test-signing-secret';

/** A controllable clock so rate limits and expiries are tested without sleeping. */
export class FakeClock {
  ms = 1_700_000_000_000;
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Harness {
  emu: SlackEmulator;
  client: WebClient;
  clock: FakeClock;
}

export async function startHarness(options: Partial<SlackEmulatorOptions> = {}): Promise<Harness> {
  const clock = new FakeClock();
  const emu = new SlackEmulator({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    now: clock.now,
    rateLimits: { enabled: false },
    ...options,
  });
  await emu.start();
  emu.addUser({ name: 'alice', realName: 'Alice Ops' });
  emu.addUser({ name: 'bob' });
  emu.addUser({ name: 'carol' });
  emu.addChannel({ name: 'eafix-ops', members: ['alice', 'bob'], botMember: true });
  emu.addChannel({ name: 'secret-ops', isPrivate: true, members: ['alice'] });
  const client = new WebClient(BOT_TOKEN, {
    slackApiUrl: emu.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: silentLogger,
  });
  return { emu, client, clock };
}

/** WebClient echoes Slack's "[ERROR] …" response metadata; tests assert on it instead. */
const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** The Slack error code of a rejected WebClient call. */
export async function slackError(promise: Promise<unknown>): Promise<{ error: string; data: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    const data = (err as { data?: Record<string, unknown> }).data ?? {};
    return { error: String(data.error ?? (err as Error).message), data };
  }
  throw new Error('expected the Slack call to fail');
}

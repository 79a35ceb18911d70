import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';
import { installationFrom, type InstallationIdentity } from './installation.ts';

interface BotIdentity {
  botUserId: string | undefined;
  botId: string | undefined;
  teamId: string | undefined;
}

export interface SlackAuthorizerOptions {
  client: WebClient;
  botToken: string;
  logger: Logger;
  /** First retry delay; doubles up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Bolt's single-token mode calls auth.test once, at construction, and keeps the failure for good when
 * Slack is unreachable at that moment. This authorizer retries auth.test with backoff until it succeeds,
 * meanwhile answering Slack traffic with an error (Slack retries events) and telling /readyz why.
 */
export class SlackAuthorizer {
  private identity: BotIdentity | undefined;
  private learned: InstallationIdentity | undefined;
  private lastError = 'not checked yet';
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: SlackAuthorizerOptions) {}

  /** Starts checking; resolves after the first try, whatever its outcome (later tries run on their own). */
  start(): Promise<void> {
    return this.check();
  }

  private async check(): Promise<void> {
    if (this.stopped) return;
    try {
      const result = await this.options.client.auth.test();
      const learned = installationFrom(result);
      this.identity = { botUserId: result.user_id, botId: result.bot_id, teamId: result.team_id };
      this.learned = learned;
      const { scopes: _scopes, ...shown } = learned;
      this.options.logger.info({ installation: shown, after: this.failures }, 'slack authentication ok');
    } catch (err) {
      this.failures += 1;
      this.lastError = err instanceof Error ? err.message : String(err);
      const { baseDelayMs = 1_000, maxDelayMs = 60_000 } = this.options;
      const retryInMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (this.failures - 1));
      this.options.logger.warn({ err, failures: this.failures, retryInMs }, 'slack auth.test failed; retrying');
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.check(), retryInMs);
      this.timer.unref();
    }
  }

  /** The installation the bot token belongs to, once auth.test has succeeded (the inbound gate's reference). */
  readonly installation = (): InstallationIdentity | undefined => this.learned;

  /** For /readyz: 'ok', or why Slack traffic cannot be served yet. */
  readiness(): string {
    return this.identity
      ? 'ok'
      : `slack auth.test has not succeeded (${this.failures} tries, last: ${this.lastError}); retrying`;
  }

  /** Bolt's `authorize`: the bot token and identity, once auth.test has succeeded. */
  readonly authorize = async (): Promise<{ botToken: string; botId?: string; botUserId?: string; teamId?: string }> => {
    const identity = this.identity;
    if (!identity) throw new Error(`Slack authentication has not succeeded yet: ${this.lastError}`);
    return {
      botToken: this.options.botToken,
      ...(identity.botId ? { botId: identity.botId } : {}),
      ...(identity.botUserId ? { botUserId: identity.botUserId } : {}),
      ...(identity.teamId ? { teamId: identity.teamId } : {}),
    };
  };

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

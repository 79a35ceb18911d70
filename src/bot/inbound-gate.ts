import type { Logger } from '../logger.ts';
import type { AuditEntry, AuditLog } from '../audit/audit-log.ts';
import { hasUnstorableText } from '../store/safe-text.ts';
import { classifyInbound, type InboundRequest } from './inbound-payloads.ts';
import { installationMismatch, type InstallationPolicy } from './installation.ts';
import type { ReplayGuard } from './replay-guard.ts';
import type { SignatureFailure } from './verify-signature.ts';

export type GateVerdict =
  | { admit: true; request: InboundRequest; replayUnverified: boolean }
  | { admit: false; status: number; body: unknown; headers?: Record<string, string> };

export interface GateMeta {
  requestId: string;
  logger: Logger;
  /** X-Slack-Retry-Num: Slack's own redelivery of something it thinks we missed. */
  retryNum?: number | undefined;
  /** The request's signed timestamp, ms (HTTP; Socket Mode deliveries have none). */
  signedAtMs?: number | undefined;
  ip?: string | undefined;
}

const USAGE = 'Usage: `/eafix <action> [arguments]`; `/eafix help` lists the actions.';

/** A slash command refusal is shown to the person (ephemeral); anything else gets an empty 200. */
const refusal = (request: { kind: string } | undefined, text: string): GateVerdict => ({
  admit: false,
  status: 200,
  body: request?.kind === 'command' ? { response_type: 'ephemeral', text } : '',
});

/** Audit rows for unsigned or stale requests, per minute; the rest are counted on the next row. */
export const SIGNATURE_REFUSALS_PER_MINUTE = 30;

/**
 * Everything between a verified signature and Bolt's routing: the payload's shape, the installation it is
 * for, whether it was delivered before, and whether its text can be stored. Each refusal is audited and
 * nothing behind the gate runs.
 */
export class InboundGate {
  private readonly unsigned: {
    minuteStartedAt: number;
    audited: number;
    left: number;
    flush?: NodeJS.Timeout | undefined;
  } = { minuteStartedAt: Number.NEGATIVE_INFINITY, audited: 0, left: 0 };

  constructor(
    /** Undefined until auth.test has succeeded: until then nothing is admitted. */
    private readonly installation: () => InstallationPolicy | undefined,
    private readonly replay: ReplayGuard,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  async admit(body: Record<string, unknown>, meta: GateMeta): Promise<GateVerdict> {
    const classified = classifyInbound(body);
    if (!classified.ok) {
      await this.record(meta, {
        action: 'slack.invalid-payload',
        outcome: 'rejected:invalid_payload',
        arguments: { kind: classified.kind },
        detail: classified.problems.join('; '),
      });
      return refusal(
        { kind: classified.kind },
        `:warning: I could not read that request: ${classified.problems.join('; ')}.\n${USAGE}`,
      );
    }
    const { request } = classified;
    const who = { teamId: request.identity.teamId, userId: request.userId, channelId: request.channelId };
    const args = { kind: request.kind, label: request.label, ...request.identity };

    const installation = this.installation();
    if (!installation) {
      // Who we are is not known yet (Slack's auth.test has not answered): nothing can be checked, so
      // nothing is taken. Slack redelivers events on a 5xx; a person gets a clear answer.
      meta.logger.warn({ kind: request.kind }, 'slack request refused: installation not yet known');
      if (request.kind !== 'command') return { admit: false, status: 503, body: '' };
      return refusal(
        request,
        ':hourglass: The bot is starting and cannot verify your workspace yet. Nothing was done; try again in a minute.',
      );
    }
    const mismatch = installationMismatch(installation, request.identity);
    if (mismatch) {
      await this.record(meta, {
        ...who,
        action: 'slack.foreign-installation',
        outcome: 'rejected:foreign_installation',
        arguments: args,
        detail: mismatch,
      });
      return refusal(request, ':no_entry: This app does not serve your workspace. Nothing was done.');
    }

    const sighting = await this.replay.check(request.deliveryKey, meta.signedAtMs);
    if (sighting === 'duplicate') {
      // Slack retries only Events API deliveries: the (unsigned) header on a command or click is no excuse.
      if (meta.retryNum !== undefined && request.kind === 'event') {
        // Slack redelivering what we already took: acknowledge quietly and tell it to stop.
        meta.logger.info(
          { deliveryKey: request.deliveryKey, retryNum: meta.retryNum },
          'slack retry of a delivery already taken',
        );
        return { admit: false, status: 200, body: '', headers: { 'x-slack-no-retry': '1' } };
      }
      await this.record(meta, {
        ...who,
        action: 'slack.replay-refused',
        outcome: 'rejected:replay',
        arguments: { ...args, deliveryKey: request.deliveryKey },
      });
      return refusal(
        request,
        ':no_entry: This request was already received once; a repeated delivery is refused. Nothing was done.',
      );
    }
    const replayUnverified = sighting === 'unverifiable';
    if (replayUnverified && request.kind !== 'command' && request.kind !== 'event') {
      // Buttons and modals change state; without replay protection they are refused (commands are
      // refused later, only when they would change something).
      await this.record(meta, {
        ...who,
        action: 'slack.replay-unverifiable',
        outcome: 'rejected:replay_unverifiable',
        arguments: args,
      });
      return refusal(request, '');
    }

    if (containsUnstorableText(body)) {
      await this.record(meta, {
        ...who,
        action: 'slack.invalid-text',
        outcome: 'rejected:invalid_text',
        arguments: args,
      });
      return refusal(
        request,
        `:warning: Your text contains a character I cannot accept (a NUL byte or a broken emoji/surrogate). Retype it without that character.\n${USAGE}`,
      );
    }
    return { admit: true, request, replayUnverified };
  }

  /**
   * A request whose signature did not verify: nothing in it is trusted, not even who it claims to be. It
   * costs its sender nothing, so its audit rows are sampled: at most SIGNATURE_REFUSALS_PER_MINUTE a minute,
   * and those left out are counted (`count`) on a row of their own when the minute ends, so a flood from the
   * internet can neither grow the chain without bound nor hide how many there were.
   */
  async refuseSignature(failure: SignatureFailure, meta: GateMeta): Promise<void> {
    const sampler = this.unsigned;
    const now = this.now();
    if (now - sampler.minuteStartedAt >= 60_000) Object.assign(sampler, { minuteStartedAt: now, audited: 0 });
    if (sampler.audited >= SIGNATURE_REFUSALS_PER_MINUTE) {
      sampler.left += 1;
      sampler.flush ??= setTimeout(() => void this.recordLeftOut(meta), sampler.minuteStartedAt + 60_000 - now).unref();
      return;
    }
    sampler.audited += 1;
    await this.record(meta, {
      action: 'slack.signature-refused',
      outcome: `rejected:${failure}`,
      arguments: { ip: meta.ip ?? 'unknown', count: 1 },
    });
  }

  /** The unsigned requests left out of the audit in the minute that ended: one row counting them. */
  private async recordLeftOut(meta: GateMeta): Promise<void> {
    const sampler = this.unsigned;
    clearTimeout(sampler.flush);
    sampler.flush = undefined;
    const count = sampler.left;
    sampler.left = 0;
    if (count === 0) return;
    await this.record(meta, {
      action: 'slack.signature-refused',
      outcome: 'rejected:sampled',
      arguments: { count },
      detail: `${count} more unsigned or stale request(s) refused in that minute, not audited one by one`,
    });
  }

  /** Refusals are audited; an audit failure is logged and never turns a refusal into an admission. */
  private async record(meta: GateMeta, entry: Omit<AuditEntry, 'requestId'>): Promise<void> {
    meta.logger.warn(
      { action: entry.action, outcome: entry.outcome, detail: entry.detail },
      'slack request refused at the gate',
    );
    try {
      await this.audit.record({ requestId: meta.requestId, ...entry });
    } catch (err) {
      meta.logger.error({ err, action: entry.action }, 'audit of a refused slack request failed');
    }
  }
}

/** Any string anywhere in the payload that PostgreSQL could not store (and no Slack client sends). */
function containsUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return hasUnstorableText(value);
  if (Array.isArray(value)) return value.some(containsUnstorableText);
  if (value && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => hasUnstorableText(k) || containsUnstorableText(v));
  return false;
}

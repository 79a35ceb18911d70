import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../app-error.ts';
import type { ChannelInfo, InviteResult, Notifier, OutgoingMessage, PostedMessage } from '../handlers/core/notifier.ts';
import type { Block } from '../handlers/core/reply.ts';
import type { PgSlackOutbox, Queryable } from '../store/pg-slack-outbox.ts';
import { withSlackRetries } from './slack-errors.ts';
import type { WebApiSlackPoster } from './slack-poster.ts';

export interface OutboxNotifierOptions {
  outbox: PgSlackOutbox;
  /** For what cannot wait in a queue: ephemeral replies, modals, war-room channel set-up. */
  slack: WebApiSlackPoster;
  /** How long `post` waits for Slack to confirm (it needs the ts); the message lands later regardless. */
  postWaitMs?: number;
  /** Deadline for direct calls, retries included. */
  directDeadlineMs?: number;
  /** How long an undelivered post stays worth delivering. */
  postTtlMs?: number;
}

const TRIGGER_DEADLINE_MS = 2_500;

/**
 * The handlers' Notifier over the durable outbox: posts, edits and uploads are rows delivered by the
 * OutboxDeliverer (paced, retried, never twice); the rest goes straight to Slack, retried inside its deadline.
 */
export class OutboxNotifier implements Notifier {
  private readonly postWaitMs: number;
  private readonly directDeadlineMs: number;
  private readonly postTtlMs: number;

  constructor(private readonly options: OutboxNotifierOptions) {
    this.postWaitMs = options.postWaitMs ?? 15_000;
    this.directDeadlineMs = options.directDeadlineMs ?? 20_000;
    this.postTtlMs = options.postTtlMs ?? 24 * 3600_000;
  }

  async send(message: OutgoingMessage, db?: Queryable): Promise<void> {
    await this.options.outbox.putMessage(
      {
        key: message.key ?? `post:${randomUUID()}`,
        channel: message.channel,
        threadTs: message.threadTs,
        threadKey: message.threadKey,
        text: message.text,
        blocks: message.blocks,
        expiresAt: new Date(Date.now() + this.postTtlMs),
      },
      db,
    );
  }

  async post(message: OutgoingMessage): Promise<PostedMessage> {
    const key = message.key ?? `post:${randomUUID()}`;
    await this.send({ ...message, key });
    return { channel: message.channel, ts: await this.delivered(key) };
  }

  async update(message: { channel: string; ts: string; text: string; blocks?: Block[] }): Promise<void> {
    await this.options.outbox.putMessage({
      key: `edit:${message.channel}:${message.ts}`,
      channel: message.channel,
      ts: message.ts,
      text: message.text,
      blocks: message.blocks ?? [],
    });
  }

  async upload(file: {
    channel: string;
    threadTs?: string;
    threadKey?: string;
    filename: string;
    content: string;
    title?: string;
    comment?: string;
    key?: string;
  }): Promise<void> {
    await this.options.outbox.putUpload({
      key: file.key ?? `upload:${randomUUID()}`,
      ...file,
      expiresAt: new Date(Date.now() + this.postTtlMs),
    });
  }

  ephemeral(message: {
    channel: string;
    user: string;
    text: string;
    blocks?: Block[];
    threadTs?: string;
  }): Promise<void> {
    return this.direct(() => this.options.slack.postEphemeral(message));
  }

  openModal(triggerId: string, view: Block): Promise<void> {
    return withSlackRetries(
      () => this.options.slack.openModal(triggerId, view),
      TRIGGER_DEADLINE_MS,
      (ms) => sleep(ms),
    );
  }

  createChannel(name: string): Promise<{ id: string } | { nameTaken: true }> {
    return this.direct(() => this.options.slack.createChannel(name));
  }

  findChannel(name: string): Promise<ChannelInfo | undefined> {
    return this.direct(() => this.options.slack.findChannel(name));
  }

  invite(channel: string, users: string[]): Promise<InviteResult> {
    return this.direct(() => this.options.slack.invite(channel, users));
  }

  setTopic(channel: string, topic: string): Promise<void> {
    return this.direct(() => this.options.slack.setTopic(channel, topic));
  }

  setPurpose(channel: string, purpose: string): Promise<void> {
    return this.direct(() => this.options.slack.setPurpose(channel, purpose));
  }

  pin(channel: string, ts: string): Promise<void> {
    return this.direct(() => this.options.slack.pin(channel, ts));
  }

  permalink(channel: string, ts: string): Promise<string> {
    return this.direct(() => this.options.slack.permalink(channel, ts));
  }

  /** The posted message's ts, once the deliverer has it; a refusal or the wait running out is an AppError. */
  private async delivered(key: string): Promise<string> {
    const deadline = Date.now() + this.postWaitMs;
    for (let pollMs = 25; ; pollMs = Math.min(250, pollMs * 2)) {
      const row = await this.options.outbox.get(key);
      if (row?.ts) return row.ts;
      if (row?.state === 'failed')
        throw new AppError('slack_refused', `Slack refused the message: ${row.lastError ?? 'unknown error'}`);
      if (row?.state === 'expired' || Date.now() >= deadline) {
        throw new AppError(
          'slack_pending',
          'Slack has not confirmed the message yet; it will be posted once Slack answers.',
          { kind: 'upstream' },
        );
      }
      await sleep(pollMs);
    }
  }

  private direct<T>(work: () => Promise<T>): Promise<T> {
    return withSlackRetries(work, this.directDeadlineMs, (ms) => sleep(ms));
  }
}

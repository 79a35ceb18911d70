import type { Block } from '../handlers/core/reply.ts';
import type { OutboxRow, SlackOutbox } from './slack-outbox.ts';
import type { SlackPoster } from './slack-poster.ts';
import type { Logger } from '../logger.ts';

/** The `event_type` of the metadata every outbox post carries. */
export const OUTBOX_EVENT_TYPE = 'eafix_outbox';

/** What delivering a row means in Slack: a new message, an edit of a posted one, or a file. */
export type Operation = 'post' | 'update' | 'upload';

export function operationOf(row: OutboxRow): Operation {
  if (row.kind === 'upload') return 'upload';
  return row.ts ? 'update' : 'post';
}

/** What an attempt got as far as, for the deliverer to decide how soon to try again. */
export interface PostAttempt {
  /** chat.postMessage itself was called: only its 429 proves the post did not land. */
  posting: boolean;
  /** An upload reserved its file: it may be shared even if the attempt failed (Slack shares asynchronously). */
  uploading?: boolean;
  /** A claimed post: its row was written already marked attempted, so it is posted without marking it. */
  markedAtWrite?: boolean;
}

export interface OutboxSlackCallsOptions {
  outbox: SlackOutbox;
  slack: SlackPoster;
  /** Called once a message has its `ts` and channel id, before the row shows delivered. */
  onPosted?: (posted: { key: string; channel: string; ts: string }) => Promise<void>;
  /** How long an upload in flight keeps its row from every other deliverer. */
  uploadHoldMs?: number;
  logger?: Logger;
}

/**
 * Carries one outbox row to Slack and records it delivered: posts (adopting a copy whose answer was lost,
 * found by its metadata), edits, and uploads (threaded under their parent once it is posted). Slack's
 * errors are thrown for the deliverer to retry or give up on.
 */
export class OutboxSlackCalls {
  constructor(private readonly options: OutboxSlackCallsOptions) {}

  deliver(row: OutboxRow, operation: Operation, attempt: PostAttempt): Promise<void> {
    if (operation === 'post') return this.post(row, attempt);
    if (operation === 'update') return this.update(row);
    return this.upload(row, attempt);
  }

  private async post(row: OutboxRow, attempt: PostAttempt): Promise<void> {
    const { outbox, slack } = this.options;
    const threadTs = row.threadTs ?? (row.threadKey ? await this.parentTs(row.threadKey) : undefined);
    if (threadTs === null) {
      // The parent is still on its way (its channel's earlier post): this reply follows it.
      await outbox.markRetry(row.key, 250, 'waiting for the thread parent to be posted', 'retry-after');
      return;
    }
    if (row.postAttempted) {
      // An earlier attempt may have landed with its answer lost: adopt that copy instead of posting again.
      const found = await slack.findPosted({
        channel: row.channel,
        threadTs,
        eventType: OUTBOX_EVENT_TYPE,
        field: 'key',
        value: row.key,
        oldest: row.createdAt,
      });
      if (found) {
        await this.posted(row, found.ts, found.channel);
        await outbox.markDelivered(row.key, Number(found.metadata.event_payload.version) || 1, found.ts, found.channel);
        return;
      }
    }
    if (!attempt.markedAtWrite) await outbox.markPostAttempted(row.key);
    attempt.posting = true;
    const posted = await slack.postMessage({
      channel: row.channel,
      ...contentOf(row),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key: row.key, version: row.version } },
    });
    // Recorded before the row shows as delivered: whoever waits for the ts then finds the state that uses it.
    await this.posted(row, posted.ts, posted.channel);
    await outbox.markDelivered(row.key, row.version, posted.ts, posted.channel);
  }

  /** The parent's ts; null while it may still be posted; undefined if it never will be (reply top-level). */
  private async parentTs(key: string): Promise<string | null | undefined> {
    const parent = await this.options.outbox.get(key);
    if (parent?.ts) return parent.ts;
    return parent?.state === 'pending' ? null : undefined;
  }

  private async update(row: OutboxRow): Promise<void> {
    // `blocks: []` replaces blocks a previous version had with the new text.
    await this.options.slack.update({
      channel: row.channel,
      ts: row.ts as string,
      text: contentOf(row).text,
      blocks: contentOf(row).blocks ?? [],
    });
    await this.options.outbox.markDelivered(row.key, row.version);
  }

  private async upload(row: OutboxRow, attempt: PostAttempt): Promise<void> {
    const p = row.payload as {
      filename: string;
      content: string;
      encoding?: 'base64';
      title?: string;
      comment?: string;
    };
    const threadTs = row.threadTs ?? (row.threadKey ? await this.parentTs(row.threadKey) : undefined);
    if (threadTs === null) {
      await this.options.outbox.markRetry(row.key, 250, 'waiting for the thread parent to be posted', 'retry-after');
      return;
    }
    const hold = this.options.uploadHoldMs ?? 120_000;
    const earlier = row.uploadFileIds;
    // Held from here on (the look-up included): a deliverer taking over meanwhile waits for this attempt.
    await this.options.outbox.markPostAttempted(row.key, hold);
    if (earlier.length > 0 && (await this.sharedEarlier(row, threadTs, earlier))) {
      await this.options.outbox.markDelivered(row.key, row.version);
      return;
    }
    await this.options.slack.uploadFile(
      {
        channel: row.channel,
        thread_ts: threadTs,
        filename: p.filename,
        content: p.encoding === 'base64' ? Buffer.from(p.content, 'base64') : p.content,
        title: p.title,
        initial_comment: p.comment,
      },
      // Recorded before the file can be shared: whoever tries next looks for this very file.
      async (fileId) => {
        await this.options.outbox.markPostAttempted(row.key, hold, fileId);
        attempt.uploading = true;
      },
    );
    await this.options.outbox.markDelivered(row.key, row.version);
  }

  /**
   * Whether an earlier attempt's file is already shared where the row goes (its answer lost, or its
   * deliverer gone before recording it). Uploads carry no metadata, but each attempt's file id is recorded
   * before the file can be shared, so the look-up names this row's files and no other request's. Where that
   * cannot be told (a DM's history, a refusal, more history than is read) the file is uploaded again.
   */
  private async sharedEarlier(row: OutboxRow, threadTs: string | undefined, fileIds: readonly string[]) {
    const found = await this.options.slack.findSharedFile({
      channel: row.channel,
      threadTs,
      fileIds,
      oldest: row.createdAt,
    });
    if (found === undefined)
      this.options.logger?.warn(
        { key: row.key, channel: row.channel },
        'slack outbox: cannot tell whether an earlier upload was shared; uploading again',
      );
    return found === true;
  }

  /**
   * `channel` is the id Slack answered with: the row may name the channel, clicks on the message carry its id.
   * A failure to record it fails the delivery: the row stays pending and the next attempt adopts the posted
   * copy (found by its metadata) and records it again, instead of leaving state that never learns its ts.
   */
  private async posted(row: OutboxRow, ts: string, channel: string): Promise<void> {
    await this.options.onPosted?.({ key: row.key, channel, ts });
  }
}

function contentOf(row: OutboxRow): { text: string; blocks?: Block[] } {
  const p = row.payload as { text: string; blocks?: Block[] };
  return { text: p.text, ...(p.blocks ? { blocks: p.blocks } : {}) };
}

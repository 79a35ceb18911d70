/**
 * The durable Slack outbox as its users see it (PgSlackOutbox in PostgreSQL; an in-memory twin in the
 * fast test tier, held to the same contract). Handlers and runs write rows with the state change they
 * report; the OutboxDeliverer delivers them.
 */

/**
 * The transaction a row is written in, so it commits (or not) with the state change it reports. The
 * adapter that opened it knows what it is; whoever writes only passes it through.
 */
export interface OutboxTransaction {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

export type OutboxState = 'pending' | 'delivered' | 'failed' | 'expired';

export interface OutboxMessageInput {
  /** Stable for one logical message: writing the same key again replaces its content (latest wins). */
  key: string;
  channel: string;
  threadTs?: string | undefined;
  /** Reply under another outbox message, whatever ts it gets (top-level if it is never posted). */
  threadKey?: string | undefined;
  text: string;
  blocks?: unknown[] | undefined;
  /** The message already exists in Slack (posted elsewhere): only edits are delivered. */
  ts?: string | undefined;
  /** Past this the content is no longer worth delivering. */
  expiresAt?: Date | undefined;
}

export interface OutboxUploadInput {
  key: string;
  channel: string;
  threadTs?: string | undefined;
  /** Under another outbox message, whatever ts it gets. */
  threadKey?: string | undefined;
  filename: string;
  content: string;
  /** Binary content travels through the JSON payload as base64. */
  encoding?: 'base64' | undefined;
  title?: string | undefined;
  comment?: string | undefined;
  expiresAt?: Date | undefined;
}

export interface OutboxRow {
  key: string;
  kind: 'message' | 'upload';
  channel: string;
  threadTs: string | undefined;
  threadKey: string | undefined;
  payload: Record<string, unknown>;
  version: number;
  deliveredVersion: number;
  ts: string | undefined;
  state: OutboxState;
  attempts: number;
  postAttempted: boolean;
  /** The files an upload's attempts reserved in Slack, oldest first, to look for after an unknown outcome. */
  uploadFileIds: readonly string[];
  /** Milliseconds until the row is due (≤ 0: due now), by the store's clock. */
  dueInMs: number;
  expired: boolean;
  lastError: string | undefined;
  createdAt: Date;
}

/** A held leadership: only its holder delivers. */
export interface OutboxLease {
  /** Called whenever a row is written or changed, once the write has committed: its key and the writing transaction's id. */
  onNotify(listener: (key: string, txid: string) => void): void;
  /** Resolves when the leadership is lost. */
  lost: Promise<void>;
  release(): Promise<void>;
}

/**
 * The deliverer's side of a post it takes the moment its transaction commits (the OutboxDeliverer while it
 * leads): no read of the outbox and no separate "attempted" mark stand between the commit and the post,
 * since the row is written already marked attempted. The store asks before it writes a new post and
 * marks the row only if no earlier post of its channel is still pending (order per channel holds).
 */
export interface PostClaims {
  /** Whether this post may be taken at commit; if so, the deliverer's loop leaves it alone meanwhile. */
  claim(message: OutboxMessageInput): boolean;
  /**
   * The store wrote it marked attempted, in transaction `txid`: it is posted once that transaction's commit
   * is heard of (before or after this); a later write of the key by another transaction means it never was.
   */
  confirm(key: string, txid: string): void;
  /** The store did not mark it (an earlier post of the channel is pending, or the write failed). */
  release(key: string): void;
}

/** Where messages for Slack wait until they are delivered. */
export interface OutboxWriter {
  /** Writes a message (or new content for it), in `tx` when given one. */
  putMessage(message: OutboxMessageInput, tx?: OutboxTransaction): Promise<void>;
  /** Writes a file upload; writing the same key again is a no-op. */
  putUpload(upload: OutboxUploadInput, tx?: OutboxTransaction): Promise<void>;
  get(key: string): Promise<OutboxRow | undefined>;
}

/** The whole outbox: what the deliverer needs besides writing. */
export interface SlackOutbox extends OutboxWriter {
  /** Undelivered rows, oldest first (due or not: later posts in a channel wait for earlier ones). */
  pending(limit: number): Promise<OutboxRow[]>;
  /**
   * Recorded before each post or upload (a claimed post's row is written marked: PostClaims), so whoever
   * tries next looks for a copy whose answer was lost.
   * `holdMs`: the row is not due for that long, so a deliverer taking over while the call is still in
   * flight waits for its outcome instead of making the call a second time. `uploadFileId`: a file an
   * upload's attempt reserved, recorded (beside the earlier ones) before it can be shared.
   */
  markPostAttempted(key: string, holdMs?: number, uploadFileId?: string): Promise<void>;
  /** Content up to `version` is in Slack (as message `ts`); the row is done unless newer content arrived. */
  /** `channelId`: where Slack posted it (a row queued by channel name is edited by id later). */
  markDelivered(key: string, version: number, ts?: string, channelId?: string): Promise<void>;
  /**
   * Puts the row off by `delayMs`: a 429's Retry-After (`retry-after`; `notPosted` when the post did not
   * land) or a backoff after Slack's or the network's trouble (`backoff`).
   */
  markRetry(
    key: string,
    delayMs: number,
    error: string,
    waitingOn: 'backoff' | 'retry-after',
    notPosted?: boolean,
  ): Promise<void>;
  /** Slack answers again in `channel`: its rows backing off after trouble are due now (429 waits are kept). */
  retryBackedOff(channel: string): Promise<number>;
  /** Gives up on a pending row: Slack refused it for good (`failed`), or it is no longer meaningful (`expired`). */
  markGivenUp(key: string, state: 'failed' | 'expired', error: string): Promise<void>;
  /** Tries to become the one deliverer; undefined while another holds the lease. */
  tryLead(): Promise<OutboxLease | undefined>;
  /** Lets go of what a standby keeps between election attempts (its connection), on shutdown. */
  standDown(): Promise<void>;
}

/** The row a new post is as written, before any delivery (a claimed post is delivered from it, unread). */
export function newPostRow(message: OutboxMessageInput, createdAt: Date): OutboxRow {
  return {
    key: message.key,
    kind: 'message',
    channel: message.channel,
    threadTs: message.threadTs || undefined,
    threadKey: undefined,
    payload: { text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) },
    version: 1,
    deliveredVersion: 0,
    ts: undefined,
    state: 'pending',
    attempts: 0,
    postAttempted: false,
    uploadFileIds: [],
    dueInMs: 0,
    expired: false,
    lastError: undefined,
    createdAt,
  };
}

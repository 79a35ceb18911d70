import type pg from 'pg';
import { connectUnpooled, type Pool } from './database.ts';
import type {
  OutboxLease,
  OutboxMessageInput,
  OutboxRow,
  OutboxState,
  OutboxTransaction,
  OutboxUploadInput,
  PostClaims,
  SlackOutbox,
} from '../slack/slack-outbox.ts';

interface RawRow {
  key: string;
  kind: 'message' | 'upload';
  channel: string;
  thread_ts: string | null;
  thread_key: string | null;
  payload: Record<string, unknown>;
  version: number;
  delivered_version: number;
  ts: string | null;
  state: OutboxState;
  attempts: number;
  post_attempted: boolean;
  upload_file_ids: string[];
  due_in_ms: number;
  expired: boolean;
  last_error: string | null;
  created_at: Date;
}

const columns = `*, (extract(epoch FROM next_attempt_at - clock_timestamp()) * 1000)::float8 AS due_in_ms,
  coalesce(expires_at < clock_timestamp(), false) AS expired`;

/** A NOTIFY's payload: the writing transaction's id and the row's key (PostClaims tells its own write by the id). */
const NOTICE = `pg_current_xact_id()::text || ' ' || $1`;

/**
 * The write and its NOTIFY in one statement (one round trip instead of two). A data-modifying WITH runs
 * to completion whether or not its rows are read; the notification goes out on commit, so the deliverer
 * never wakes for a row it cannot see. `$1` is the key; `$channelParam` the NOTIFY channel.
 */
const withNotify = (write: string, channelParam: number) =>
  `WITH written AS (${write}) SELECT pg_notify($${channelParam}, ${NOTICE})`;

/**
 * A message's write and its NOTIFY. `$9`: the deliverer claimed it, so a new row is written marked
 * attempted, unless a post or upload of its channel is still pending (it must go first); `claimed` says
 * whether it was. Content for an existing key never is (its first post is another attempt's).
 */
const PUT_MESSAGE = `WITH written AS (
  INSERT INTO slack_outbox (key, kind, channel, thread_ts, payload, ts, delivered_version, expires_at, thread_key, post_attempted)
  VALUES ($1, 'message', $2, $3, $4, $5, 0, $6, $7, $9::boolean AND NOT EXISTS (
    SELECT 1 FROM slack_outbox earlier
     WHERE earlier.state = 'pending' AND earlier.channel = $2 AND earlier.key <> $1
       AND (earlier.kind = 'upload' OR earlier.ts IS NULL)))
  ON CONFLICT (key) DO UPDATE SET payload = EXCLUDED.payload, version = slack_outbox.version + 1,
    state = 'pending', expires_at = EXCLUDED.expires_at, updated_at = clock_timestamp()
  WHERE slack_outbox.payload::text IS DISTINCT FROM EXCLUDED.payload::text
  RETURNING post_attempted AND xmax = 0 AS claimed)
SELECT pg_notify($8, ${NOTICE}), (SELECT claimed FROM written) AS claimed, pg_current_xact_id()::text AS txid`;

/** A post nobody has tried yet, with nothing to wait for (a reply by parent key waits for the parent's ts). */
const isNewPost = (message: OutboxMessageInput) => message.ts === undefined && message.threadKey === undefined;

const toRow = (r: RawRow): OutboxRow => ({
  key: r.key,
  kind: r.kind,
  channel: r.channel,
  threadTs: r.thread_ts ?? undefined,
  threadKey: r.thread_key ?? undefined,
  payload: r.payload,
  version: r.version,
  deliveredVersion: r.delivered_version,
  ts: r.ts ?? undefined,
  state: r.state,
  attempts: r.attempts,
  postAttempted: r.post_attempted,
  uploadFileIds: r.upload_file_ids,
  dueInMs: r.due_in_ms,
  expired: r.expired,
  lastError: r.last_error ?? undefined,
  createdAt: r.created_at,
});

/** The durable Slack outbox's rows (migration 007). */
export class PgSlackOutbox implements SlackOutbox {
  private readonly channel: string;
  /** A standby's connection, kept between election attempts (one connection, not one a second). */
  private candidate: pg.Client | undefined;
  private claims: PostClaims | undefined;

  constructor(
    private readonly pool: Pool,
    /** Scopes the NOTIFY channel and the leader lock to this schema. */
    private readonly schema: string,
  ) {
    this.channel = `slack_outbox_${schema}`;
  }

  /**
   * Writes a message (or new content for it), in `db`'s transaction when given one. A new post the
   * deliverer claims (PostClaims) is written already marked attempted, unless an earlier post of its
   * channel is still pending; the deliverer then posts it when the commit's notification arrives.
   */
  async putMessage(message: OutboxMessageInput, db: OutboxTransaction = this.pool): Promise<void> {
    const payload = { text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) };
    const claimed = this.claims !== undefined && isNewPost(message) && this.claims.claim(message);
    try {
      const result = (await db.query(PUT_MESSAGE, [
        message.key,
        message.channel,
        message.threadTs || null,
        JSON.stringify(payload),
        message.ts ?? null,
        message.expiresAt ?? null,
        message.threadKey ?? null,
        this.channel,
        claimed,
      ])) as { rows: Array<{ claimed: boolean | null; txid: string }> };
      const answer = result.rows[0];
      if (claimed && answer?.claimed === true) this.claims?.confirm(message.key, answer.txid);
      else if (claimed) this.claims?.release(message.key);
    } catch (error) {
      if (claimed) this.claims?.release(message.key);
      throw error;
    }
  }

  /** Posts written from now on may be taken by `claims` as their transaction commits. */
  deliverPostsVia(claims: PostClaims): void {
    this.claims = claims;
  }

  /** Writes a file upload; writing the same key again is a no-op. */
  async putUpload(upload: OutboxUploadInput, db: OutboxTransaction = this.pool): Promise<void> {
    const payload = {
      filename: upload.filename,
      content: upload.content,
      ...(upload.encoding ? { encoding: upload.encoding } : {}),
      ...(upload.title ? { title: upload.title } : {}),
      ...(upload.comment ? { comment: upload.comment } : {}),
    };
    await db.query(
      withNotify(
        `INSERT INTO slack_outbox (key, kind, channel, thread_ts, thread_key, payload, expires_at)
       VALUES ($1, 'upload', $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING`,
        7,
      ),
      [
        upload.key,
        upload.channel,
        upload.threadTs || null,
        upload.threadKey ?? null,
        JSON.stringify(payload),
        upload.expiresAt ?? null,
        this.channel,
      ],
    );
  }

  async get(key: string): Promise<OutboxRow | undefined> {
    const result = await this.pool.query<RawRow>(`SELECT ${columns} FROM slack_outbox WHERE key = $1`, [key]);
    return result.rows[0] ? toRow(result.rows[0]) : undefined;
  }

  /** Undelivered rows, oldest first (due or not: later posts in a channel wait for earlier ones). */
  async pending(limit: number): Promise<OutboxRow[]> {
    const result = await this.pool.query<RawRow>(
      `SELECT ${columns} FROM slack_outbox WHERE state = 'pending' ORDER BY created_at, key LIMIT $1`,
      [limit],
    );
    return result.rows.map(toRow);
  }

  /**
   * Recorded before each post or upload (a claimed post's row is written marked); `holdMs` keeps another deliverer off the row while the call is in
   * flight; `uploadFileId`, a file an upload's attempt reserved, joins the ones reserved before.
   */
  async markPostAttempted(key: string, holdMs = 0, uploadFileId?: string): Promise<void> {
    // waiting_on NULL: retryBackedOff must not make a held row due again.
    await this.pool.query(
      `UPDATE slack_outbox SET post_attempted = true, updated_at = clock_timestamp(), waiting_on = CASE WHEN $2 > 0 THEN NULL ELSE waiting_on END,
         upload_file_ids = CASE WHEN $3::text IS NULL THEN upload_file_ids ELSE array_append(upload_file_ids, $3::text) END,
         next_attempt_at = greatest(next_attempt_at, clock_timestamp() + make_interval(secs => $2::float8 / 1000))
       WHERE key = $1`,
      [key, Math.max(0, Math.round(holdMs)), uploadFileId ?? null],
    );
  }

  /** Content up to `version` is in Slack (as message `ts`); the row is done unless newer content arrived. */
  /**
   * `channelId`: the channel Slack posted in; a row queued by channel name keeps its id from then on,
   * since chat.update (a later version's edit) takes ids only.
   */
  async markDelivered(key: string, version: number, ts?: string, channelId?: string): Promise<void> {
    await this.pool.query(
      `UPDATE slack_outbox SET ts = coalesce(ts, $3), channel = coalesce($4, channel), delivered_version = greatest(delivered_version, $2), post_attempted = false, waiting_on = NULL,
         attempts = 0, last_error = NULL, next_attempt_at = clock_timestamp(), updated_at = clock_timestamp(),
         delivered_at = clock_timestamp(), state = CASE WHEN version <= greatest(delivered_version, $2) THEN 'delivered' ELSE 'pending' END
       WHERE key = $1`,
      [key, version, ts ?? null, channelId ?? null],
    );
  }

  /**
   * Puts the row off by `delayMs`: a 429's Retry-After (`retry-after`, and the post did not land) or a
   * backoff after Slack's or the network's trouble (`backoff`).
   */
  async markRetry(
    key: string,
    delayMs: number,
    error: string,
    waitingOn: 'backoff' | 'retry-after',
    notPosted = false,
  ): Promise<void> {
    await this.pool.query(
      `UPDATE slack_outbox SET attempts = attempts + 1, last_error = $3, updated_at = clock_timestamp(), waiting_on = $5,
         post_attempted = post_attempted AND NOT $4,
         next_attempt_at = clock_timestamp() + make_interval(secs => $2::float8 / 1000) WHERE key = $1`,
      [key, Math.max(0, Math.round(delayMs)), error, notPosted, waitingOn],
    );
  }

  /** Slack answers again in `channel`: its rows backing off after trouble are due now (429 waits are kept). */
  async retryBackedOff(channel: string): Promise<number> {
    const result = await this.pool.query(
      `UPDATE slack_outbox SET next_attempt_at = clock_timestamp(), waiting_on = NULL
        WHERE state = 'pending' AND channel = $1 AND waiting_on = 'backoff' AND next_attempt_at > clock_timestamp()`,
      [channel],
    );
    return result.rowCount ?? 0;
  }

  /** Gives up on a row: Slack refused it for good (`failed`), or it is no longer meaningful (`expired`). */
  async markGivenUp(key: string, state: 'failed' | 'expired', error: string): Promise<void> {
    await this.pool.query(
      `UPDATE slack_outbox SET state = $2, last_error = $3, updated_at = clock_timestamp() WHERE key = $1 AND state = 'pending'`,
      [key, state, error],
    );
  }

  /** Tries to become the one deliverer; undefined when another process holds the lock. */
  /**
   * Leadership is a session advisory lock with a LISTEN on its connection: session state, so it lives
   * on a connection of its own outside the pool (the direct one when the pool is a transaction pooler).
   */
  async tryLead(): Promise<OutboxLease | undefined> {
    const client = this.candidate ?? (await this.connectCandidate());
    let lostResolve!: () => void;
    const lost = new Promise<void>((resolve) => (lostResolve = resolve));
    const onError = () => lostResolve();
    try {
      const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [
        `eafix-slack-outbox:${this.schema}`,
      ]);
      if (!rows[0]?.locked) return undefined;
      this.candidate = undefined;
      client.on('error', onError);
      client.on('end', onError);
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      if (this.candidate === client) this.candidate = undefined;
      await client.end().catch(() => undefined);
      throw error;
    }
    let released = false;
    return {
      onNotify: (listener) =>
        client.on('notification', ({ payload = '' }) => {
          const space = payload.indexOf(' ');
          listener(payload.slice(space + 1), payload.slice(0, Math.max(0, space)));
        }),
      lost,
      release: async () => {
        if (released) return;
        released = true;
        // Closing the connection drops the lock and the LISTEN with it, however the session was left.
        client.removeAllListeners('notification');
        client.off('error', onError);
        client.off('end', onError);
        await client.end().catch(() => undefined);
        lostResolve();
      },
    };
  }

  /** Closes a standby's connection (on shutdown). */
  async standDown(): Promise<void> {
    const client = this.candidate;
    this.candidate = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connectCandidate(): Promise<pg.Client> {
    const client = await connectUnpooled(this.pool, undefined, 'slack outbox election', { queryTimeoutMs: 10_000 });
    // A standby whose connection dropped connects again at its next attempt.
    client.once('end', () => {
      if (this.candidate === client) this.candidate = undefined;
    });
    this.candidate = client;
    return client;
  }
}

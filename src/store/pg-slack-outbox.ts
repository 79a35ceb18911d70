import type { Pool, PoolClient } from './database.ts';

/** A pool or a client inside a transaction: outbox rows are written with the state change they report. */
export type Queryable = Pick<Pool, 'query'>;

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
  /** Milliseconds until the row is due (≤ 0: due now), by the database clock. */
  dueInMs: number;
  expired: boolean;
  lastError: string | undefined;
  createdAt: Date;
}

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
  due_in_ms: number;
  expired: boolean;
  last_error: string | null;
  created_at: Date;
}

const columns = `*, (extract(epoch FROM next_attempt_at - clock_timestamp()) * 1000)::float8 AS due_in_ms,
  coalesce(expires_at < clock_timestamp(), false) AS expired`;

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
  dueInMs: r.due_in_ms,
  expired: r.expired,
  lastError: r.last_error ?? undefined,
  createdAt: r.created_at,
});

/** A held leadership: the deliverer's dedicated connection, holding the outbox's advisory lock. */
export interface OutboxLease {
  /** Called on every NOTIFY of a new or changed row. */
  onNotify(listener: () => void): void;
  /** Resolves when the connection (and with it the lock) is lost. */
  lost: Promise<void>;
  release(): Promise<void>;
}

/** The durable Slack outbox's rows (migration 007). */
export class PgSlackOutbox {
  private readonly channel: string;

  constructor(
    private readonly pool: Pool,
    /** Scopes the NOTIFY channel and the leader lock to this schema. */
    private readonly schema: string,
  ) {
    this.channel = `slack_outbox_${schema}`;
  }

  /** Writes a message (or new content for it), in `db`'s transaction when given one. */
  async putMessage(message: OutboxMessageInput, db: Queryable = this.pool): Promise<void> {
    const payload = { text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) };
    await db.query(
      `INSERT INTO slack_outbox (key, kind, channel, thread_ts, payload, ts, delivered_version, expires_at, thread_key)
       VALUES ($1, 'message', $2, $3, $4, $5, 0, $6, $7)
       ON CONFLICT (key) DO UPDATE SET payload = EXCLUDED.payload, version = slack_outbox.version + 1,
         state = 'pending', expires_at = EXCLUDED.expires_at, updated_at = clock_timestamp()
       WHERE slack_outbox.payload::text IS DISTINCT FROM EXCLUDED.payload::text`,
      [
        message.key,
        message.channel,
        message.threadTs || null,
        JSON.stringify(payload),
        message.ts ?? null,
        message.expiresAt ?? null,
        message.threadKey ?? null,
      ],
    );
    await this.notify(db, message.key);
  }

  /** Writes a file upload; writing the same key again is a no-op. */
  async putUpload(upload: OutboxUploadInput, db: Queryable = this.pool): Promise<void> {
    const payload = {
      filename: upload.filename,
      content: upload.content,
      ...(upload.title ? { title: upload.title } : {}),
      ...(upload.comment ? { comment: upload.comment } : {}),
    };
    await db.query(
      `INSERT INTO slack_outbox (key, kind, channel, thread_ts, thread_key, payload, expires_at)
       VALUES ($1, 'upload', $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING`,
      [
        upload.key,
        upload.channel,
        upload.threadTs || null,
        upload.threadKey ?? null,
        JSON.stringify(payload),
        upload.expiresAt ?? null,
      ],
    );
    await this.notify(db, upload.key);
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

  /** Recorded before each post, so whoever tries next looks for a copy whose answer was lost. */
  async markPostAttempted(key: string): Promise<void> {
    await this.pool.query(
      `UPDATE slack_outbox SET post_attempted = true, updated_at = clock_timestamp() WHERE key = $1`,
      [key],
    );
  }

  /** Content up to `version` is in Slack (as message `ts`); the row is done unless newer content arrived. */
  async markDelivered(key: string, version: number, ts?: string): Promise<void> {
    await this.pool.query(
      `UPDATE slack_outbox SET ts = coalesce(ts, $3), delivered_version = greatest(delivered_version, $2), post_attempted = false, waiting_on = NULL,
         attempts = 0, last_error = NULL, next_attempt_at = clock_timestamp(), updated_at = clock_timestamp(),
         delivered_at = clock_timestamp(), state = CASE WHEN version <= greatest(delivered_version, $2) THEN 'delivered' ELSE 'pending' END
       WHERE key = $1`,
      [key, version, ts ?? null],
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
  async tryLead(): Promise<OutboxLease | undefined> {
    const client: PoolClient = await this.pool.connect();
    let lostResolve!: () => void;
    const lost = new Promise<void>((resolve) => (lostResolve = resolve));
    const onError = () => lostResolve();
    client.on('error', onError);
    client.on('end', onError);
    try {
      const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [
        `eafix-slack-outbox:${this.schema}`,
      ]);
      if (!rows[0]?.locked) {
        client.off('error', onError);
        client.off('end', onError);
        client.release();
        return undefined;
      }
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      client.release(true);
      throw error;
    }
    let released = false;
    return {
      onNotify: (listener) => client.on('notification', () => listener()),
      lost,
      release: async () => {
        if (released) return;
        released = true;
        // Dropping the connection drops the lock and the LISTEN with it, however the session was left.
        client.removeAllListeners('notification');
        client.off('error', onError);
        client.off('end', onError);
        client.on('error', () => undefined);
        client.release(true);
        lostResolve();
      },
    };
  }

  private async notify(db: Queryable, key: string): Promise<void> {
    // Delivered on commit when `db` is a transaction: the deliverer never wakes for a row it cannot see.
    await db.query(`SELECT pg_notify($1, $2)`, [this.channel, key]);
  }
}

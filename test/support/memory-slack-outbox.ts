import type {
  OutboxLease,
  OutboxMessageInput,
  OutboxRow,
  OutboxUploadInput,
  SlackOutbox,
} from '../../src/slack/slack-outbox.ts';

interface StoredRow extends Omit<OutboxRow, 'dueInMs' | 'expired'> {
  waitingOn: 'backoff' | 'retry-after' | undefined;
  nextAttemptAt: number;
  expiresAt: number | undefined;
  /** Insertion order: rows written in one millisecond keep their order. */
  seq: number;
}

/**
 * The Slack outbox port in memory, for the fast test tier: the same row life cycle as PgSlackOutbox
 * (versions, coalescing, retries, one leader), checked by the same contract tests
 * (test/support/slack-outbox-contract.ts). Time comes from the injected clock.
 */
export class MemorySlackOutbox implements SlackOutbox {
  private readonly rows = new Map<string, StoredRow>();
  private readonly listeners = new Set<(key: string, txid: string) => void>();
  private leased = false;
  private seq = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async putMessage(message: OutboxMessageInput): Promise<void> {
    const payload = { text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) };
    const existing = this.rows.get(message.key);
    if (!existing) {
      this.insert({
        key: message.key,
        kind: 'message',
        channel: message.channel,
        threadTs: message.threadTs || undefined,
        threadKey: message.threadKey,
        payload,
        ts: message.ts,
        expiresAt: message.expiresAt?.getTime(),
      });
    } else if (JSON.stringify(existing.payload) !== JSON.stringify(payload)) {
      // New content for the same message: delivered again (as an edit once it has a ts), latest wins.
      Object.assign(existing, {
        payload,
        version: existing.version + 1,
        state: 'pending',
        expiresAt: message.expiresAt?.getTime(),
      });
    }
    this.notify(message.key);
  }

  async putUpload(upload: OutboxUploadInput): Promise<void> {
    if (!this.rows.has(upload.key)) {
      this.insert({
        key: upload.key,
        kind: 'upload',
        channel: upload.channel,
        threadTs: upload.threadTs || undefined,
        threadKey: upload.threadKey || undefined,
        payload: {
          filename: upload.filename,
          content: upload.content,
          ...(upload.encoding ? { encoding: upload.encoding } : {}),
          ...(upload.title ? { title: upload.title } : {}),
          ...(upload.comment ? { comment: upload.comment } : {}),
        },
        ts: undefined,
        expiresAt: upload.expiresAt?.getTime(),
      });
    }
    this.notify(upload.key);
  }

  async get(key: string): Promise<OutboxRow | undefined> {
    const row = this.rows.get(key);
    return row ? this.view(row) : undefined;
  }

  async pending(limit: number): Promise<OutboxRow[]> {
    return [...this.rows.values()]
      .filter((r) => r.state === 'pending')
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.seq - b.seq)
      .slice(0, limit)
      .map((r) => this.view(r));
  }

  async markPostAttempted(key: string, holdMs = 0, uploadFileId?: string): Promise<void> {
    const row = this.rows.get(key);
    if (!row) return;
    row.postAttempted = true;
    if (uploadFileId) row.uploadFileIds = [...row.uploadFileIds, uploadFileId];
    if (holdMs <= 0) return;
    row.waitingOn = undefined;
    row.nextAttemptAt = Math.max(row.nextAttemptAt, this.clock() + Math.round(holdMs));
  }

  async markDelivered(key: string, version: number, ts?: string, channelId?: string): Promise<void> {
    const row = this.rows.get(key);
    if (!row) return;
    row.ts ??= ts;
    if (channelId) row.channel = channelId;
    row.deliveredVersion = Math.max(row.deliveredVersion, version);
    Object.assign(row, {
      postAttempted: false,
      waitingOn: undefined,
      attempts: 0,
      lastError: undefined,
      nextAttemptAt: this.clock(),
      state: row.version <= row.deliveredVersion ? 'delivered' : 'pending',
    });
  }

  async markRetry(
    key: string,
    delayMs: number,
    error: string,
    waitingOn: 'backoff' | 'retry-after',
    notPosted = false,
  ): Promise<void> {
    const row = this.rows.get(key);
    if (!row) return;
    Object.assign(row, {
      attempts: row.attempts + 1,
      lastError: error,
      waitingOn,
      postAttempted: row.postAttempted && !notPosted,
      nextAttemptAt: this.clock() + Math.max(0, Math.round(delayMs)),
    });
  }

  async retryBackedOff(channel: string): Promise<number> {
    const now = this.clock();
    let woken = 0;
    for (const row of this.rows.values()) {
      if (row.state !== 'pending' || row.channel !== channel || row.waitingOn !== 'backoff') continue;
      if (row.nextAttemptAt <= now) continue;
      Object.assign(row, { nextAttemptAt: now, waitingOn: undefined });
      woken += 1;
    }
    return woken;
  }

  async markGivenUp(key: string, state: 'failed' | 'expired', error: string): Promise<void> {
    const row = this.rows.get(key);
    if (row?.state === 'pending') Object.assign(row, { state, lastError: error });
  }

  async standDown(): Promise<void> {
    // Nothing is kept between election attempts in memory.
  }

  async tryLead(): Promise<OutboxLease | undefined> {
    if (this.leased) return undefined;
    this.leased = true;
    let lostResolve!: () => void;
    const lost = new Promise<void>((resolve) => (lostResolve = resolve));
    const mine = new Set<(key: string, txid: string) => void>();
    let released = false;
    return {
      onNotify: (listener) => {
        mine.add(listener);
        this.listeners.add(listener);
      },
      lost,
      release: async () => {
        if (released) return;
        released = true;
        for (const listener of mine) this.listeners.delete(listener);
        this.leased = false;
        lostResolve();
      },
    };
  }

  private insert(
    row: Omit<
      StoredRow,
      | 'version'
      | 'deliveredVersion'
      | 'state'
      | 'attempts'
      | 'postAttempted'
      | 'uploadFileIds'
      | 'lastError'
      | 'createdAt'
      | 'nextAttemptAt'
      | 'waitingOn'
      | 'seq'
    >,
  ): void {
    const now = this.clock();
    this.rows.set(row.key, {
      ...row,
      version: 1,
      deliveredVersion: 0,
      state: 'pending',
      attempts: 0,
      postAttempted: false,
      uploadFileIds: [],
      lastError: undefined,
      createdAt: new Date(now),
      nextAttemptAt: now,
      waitingOn: undefined,
      seq: (this.seq += 1),
    });
  }

  private view(row: StoredRow): OutboxRow {
    const now = this.clock();
    const { waitingOn: _waitingOn, nextAttemptAt, expiresAt, seq: _seq, ...rest } = row;
    return structuredClone({
      ...rest,
      dueInMs: nextAttemptAt - now,
      expired: expiresAt !== undefined && expiresAt < now,
    });
  }

  private clock(): number {
    return this.now().getTime();
  }

  private notify(key: string): void {
    // As NOTIFY: the listener hears of it after the write, never inside it.
    queueMicrotask(() => this.listeners.forEach((listener) => listener(key, '')));
  }
}

/** The in-memory outbox has no transactions: a row is committed as it is written. */
export const noTransaction = { query: async () => undefined };

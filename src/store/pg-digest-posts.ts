import type { Pool } from './database.ts';
import type { Claim, DigestPostLog } from '../handlers/monitoring/digest-post.ts';

/** The Postgres guard that makes a digest post happen once per tick whichever worker runs it. */
export class PgDigestPosts implements DigestPostLog {
  constructor(private readonly pool: Pool) {}

  /**
   * Claims (digest, tick) for `claimer`. A claimer that already holds the claim (a retried job) gets it
   * again unless the post went out; anyone else is told to stand down.
   */
  async claim(digest: string, tickKey: string, channel: string, claimer: string): Promise<Claim> {
    const inserted = await this.pool.query(
      `INSERT INTO digest_posts (digest, tick_key, channel, claimed_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [digest, tickKey, channel, claimer],
    );
    if (inserted.rowCount === 1) return 'claimed';
    const row = (
      await this.pool.query<{ claimed_by: string; posted_at: Date | null }>(
        'SELECT claimed_by, posted_at FROM digest_posts WHERE digest = $1 AND tick_key = $2',
        [digest, tickKey],
      )
    ).rows[0];
    if (row?.posted_at) return 'already-posted';
    return row?.claimed_by === claimer ? 'claimed' : 'claimed-by-another';
  }

  /** Which of `tickKeys` someone claimed or posted. */
  async handled(digest: string, tickKeys: string[]): Promise<Set<string>> {
    const rows = (
      await this.pool.query<{ tick_key: string }>(
        'SELECT tick_key FROM digest_posts WHERE digest = $1 AND tick_key = ANY($2)',
        [digest, tickKeys],
      )
    ).rows;
    return new Set(rows.map((r) => r.tick_key));
  }

  async markPosted(digest: string, tickKey: string, messageTs: string): Promise<void> {
    await this.pool.query(
      'UPDATE digest_posts SET message_ts = $3, posted_at = clock_timestamp() WHERE digest = $1 AND tick_key = $2',
      [digest, tickKey, messageTs],
    );
  }
}

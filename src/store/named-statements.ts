/**
 * Statements with parameters go out as named prepared statements, one name per text: PostgreSQL then
 * parses and analyses each text once per connection instead of on every execution. For an approval vote
 * that is ~0.7 of its ~1 ms of server time (measured 2026-12-01), and a click runs seven such statements
 * before its status message. Statements without parameters keep the simple protocol (a text may hold
 * several statements there). A transaction pooler cannot keep prepared statements, so `createPool`
 * installs this only on direct connections.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Past this many distinct texts, new texts go unnamed. None of the bot's texts are built per call, and a
 * connection holds only what it ran (~130 KB of the server's memory for the vote, less for most), as
 * JDBC's and asyncpg's statement caches (256 and 100 per connection) do; idle connections close.
 */
const MAX_NAMES = 256;

/**
 * PostgreSQL's refusal to run a prepared statement whose result columns changed since it was prepared
 * (another replica migrated: a `SELECT *` gained a column). The statement that meets it fails; every
 * statement after it gets a new name, so each connection prepares it again against the new table.
 */
const RESULT_CHANGED = 'cached plan must not change result type';

let generation = 0;
const names = new Map<string, string>();

function nameFor(text: string): string | undefined {
  const known = names.get(text);
  if (known !== undefined || names.size >= MAX_NAMES) return known;
  const name = `eafix_${generation}_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  names.set(text, name);
  return name;
}

function noteFailure(error: unknown): void {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e?.code === '0A000' && typeof e.message === 'string' && e.message.includes(RESULT_CHANGED)) {
    generation += 1;
    names.clear();
  }
}

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/** Makes `client`'s statements with parameters named ones (see above). */
export function nameStatements(client: pg.ClientBase): void {
  const query = client.query.bind(client) as Query;
  const named: Query = (config, values, callback) => {
    const text = typeof config === 'string' ? config : undefined;
    const name = text !== undefined && Array.isArray(values) ? nameFor(text) : undefined;
    if (name === undefined) return query(config, values, callback);
    if (typeof callback === 'function') {
      return query({ name, text }, values, (error: unknown, result: unknown) => {
        if (error) noteFailure(error);
        (callback as (error: unknown, result: unknown) => void)(error, result);
      });
    }
    const result = query({ name, text }, values) as Promise<unknown>;
    result.catch(noteFailure);
    return result;
  };
  client.query = named as typeof client.query;
}

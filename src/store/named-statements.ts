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
 * Past this many distinct texts, new texts go unnamed. None of the bot's texts are built per call; a
 * connection holds only those it ran (~130 KB of the server's memory for the vote, less for most), a
 * bound like JDBC's and asyncpg's per-connection caches (256 and 100). Connections close when idle and
 * after `createPool`'s maximum lifetime, and their statements with them.
 */
const MAX_NAMES = 256;

/**
 * PostgreSQL refuses to run a prepared statement whose result columns changed since it was prepared
 * (another replica migrated: a `SELECT *` gained a column). Told by the function that raises it, as the
 * message may be translated. In each process the first statement to meet it fails, with any sent under
 * old names alongside it; every statement after it, on every connection, gets a new name and is
 * prepared against the new table.
 */
const RESULT_CHANGED = { code: '0A000', routine: 'RevalidateCachedQuery' };
/** A name the connection believes prepared that the server does not have (see `forgetUnknown`). */
const UNKNOWN_STATEMENT = '26000';

let generation = 0;
const names = new Map<string, string>();

function nameFor(text: string): string | undefined {
  const known = names.get(text);
  if (known !== undefined || names.size >= MAX_NAMES) return known;
  const name = `eafix_${generation}_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  names.set(text, name);
  return name;
}

/** pg's record of the statements a connection has prepared (not in its types). */
const preparedOn = (client: pg.ClientBase) =>
  (client as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements;

/**
 * pg records a statement as prepared once the server parsed it, even when a value then failed to convert
 * and the statement was closed again: the next use of the name would fail on that connection for good.
 * Forgetting it there makes the use after the failing one prepare it again.
 */
function forgetUnknown(client: pg.ClientBase, name: string): void {
  delete preparedOn(client)[name];
}

function noteFailure(client: pg.ClientBase, name: string, error: unknown): void {
  const e = error as { code?: unknown; routine?: unknown } | null;
  if (e?.code === UNKNOWN_STATEMENT) forgetUnknown(client, name);
  // Once per change: statements already in flight under an older generation's names fail too.
  if (
    e?.code === RESULT_CHANGED.code &&
    e.routine === RESULT_CHANGED.routine &&
    name.startsWith(`eafix_${generation}_`)
  ) {
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
    // pg's own rule for the extended protocol: with no values a text goes as a simple query, maybe several.
    const name = text !== undefined && Array.isArray(values) && values.length > 0 ? nameFor(text) : undefined;
    if (name === undefined) return query(config, values, callback);
    if (typeof callback === 'function') {
      return query({ name, text }, values, (error: unknown, result: unknown) => {
        if (error) noteFailure(client, name, error);
        (callback as (error: unknown, result: unknown) => void)(error, result);
      });
    }
    const result = query({ name, text }, values) as Promise<unknown>;
    result.catch((error: unknown) => noteFailure(client, name, error));
    return result;
  };
  client.query = named as typeof client.query;
}

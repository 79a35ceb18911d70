import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createPool, inOneRoundTrip, inTransaction, type Pool } from '../../src/store/database.ts';
import { isolate, type Isolation } from '../support/isolation.ts';

const logger = createLogger({ level: 'silent' });
let own: Isolation;
let pool: Pool;

beforeAll(async () => {
  own = isolate('transactions');
  pool = createPool({ url: own.databaseUrl, schema: own.schema, max: 1 }, logger);
  await pool.query(`CREATE SCHEMA ${own.schema}`);
  await pool.query('CREATE TABLE items (id int PRIMARY KEY, note text)');
});

afterAll(async () => {
  await pool.end();
  await own.cleanup();
});

const ids = async () => (await pool.query<{ id: number }>('SELECT id FROM items ORDER BY id')).rows.map((r) => r.id);

describe('transactions on pipelined connections', () => {
  it('inTransaction: BEGIN travels with the first statement, and a failure rolls every statement back', async () => {
    await inTransaction(pool, async (client) => {
      await client.query('INSERT INTO items VALUES (1)');
      await client.query('INSERT INTO items VALUES (2)');
    });
    await expect(
      inTransaction(pool, async (client) => {
        await client.query('INSERT INTO items VALUES (3)');
        await client.query('INSERT INTO items VALUES (1)'); // duplicate key
      }),
    ).rejects.toMatchObject({ code: '23505' });
    await expect(
      inTransaction(pool, async (client) => {
        await client.query('INSERT INTO items VALUES (4)');
        throw new Error('the work changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    expect(await ids()).toEqual([1, 2]);
    await pool.query('DELETE FROM items');
  });

  it('inOneRoundTrip: statements see each other in order, commit together, and one failing rolls all back', async () => {
    const [inserted, seen] = await inOneRoundTrip(pool, (client) =>
      Promise.all([
        client.query('INSERT INTO items VALUES (10), (11)'),
        client.query<{ n: number }>('SELECT count(*)::int AS n FROM items'),
      ]),
    );
    expect(inserted.rowCount).toBe(2);
    expect(seen.rows[0]?.n).toBe(2);
    await expect(
      inOneRoundTrip(pool, (client) =>
        Promise.all([client.query('INSERT INTO items VALUES (12)'), client.query('INSERT INTO items VALUES (10)')]),
      ),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await ids()).toEqual([10, 11]);
    // One connection (max 1): the one whose transaction failed is clean for the next (its COMMIT rolled back).
    for (let i = 0; i < 3; i++) {
      await inOneRoundTrip(pool, (client) => client.query('INSERT INTO items VALUES ($1)', [20 + i]));
    }
    expect(await ids()).toEqual([10, 11, 20, 21, 22]);
  });
});

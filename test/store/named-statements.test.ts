import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createPool, type Pool } from '../../src/store/database.ts';
import { isolate, type Isolation } from '../support/isolation.ts';

const logger = createLogger({ level: 'silent' });
let own: Isolation;
let pool: Pool;

beforeAll(async () => {
  own = isolate('named_statements');
  // One connection: what it prepared is what the next statement finds.
  pool = createPool({ url: own.databaseUrl, schema: own.schema, max: 1 }, logger);
  await pool.query(`CREATE SCHEMA ${own.schema}`);
  await pool.query(`CREATE TABLE items (id int PRIMARY KEY, note text)`);
  await pool.query(`INSERT INTO items VALUES (1, 'one'), (2, 'two')`);
});

afterAll(async () => {
  await pool.end();
  await own.cleanup();
});

/** The statements this pool's one connection has prepared (a statement without parameters asks). */
const prepared = async (p: Pool = pool) =>
  (await p.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).rows.map((r) => r.statement);

describe('named statements', () => {
  it('prepares a statement with parameters once per connection and runs it again by name', async () => {
    const text = 'SELECT id, note FROM items WHERE id = $1';
    expect((await pool.query(text, [1])).rows).toEqual([{ id: 1, note: 'one' }]);
    expect((await pool.query(text, [2])).rows).toEqual([{ id: 2, note: 'two' }]);
    expect((await prepared()).filter((s) => s === text)).toHaveLength(1);
  });

  it('keeps statements without parameters on the simple protocol, where one text may hold several', async () => {
    const results = (await pool.query('SELECT 1 AS a; SELECT 2 AS b')) as unknown as pg.QueryResult[];
    expect(results.map((r) => r.rows[0])).toEqual([{ a: 1 }, { b: 2 }]);
    expect(await prepared()).not.toContain('SELECT 1 AS a; SELECT 2 AS b');
  });

  it('prepares again after another replica changed a table: only the statement that met the change fails', async () => {
    const text = 'SELECT * FROM items WHERE id = $1';
    expect((await pool.query(text, [1])).rows).toEqual([{ id: 1, note: 'one' }]);
    const migrator = new pg.Client({ connectionString: own.databaseUrl });
    await migrator.connect();
    await migrator.query(`ALTER TABLE ${own.schema}.items ADD COLUMN extra text DEFAULT 'new'`);
    await migrator.end();
    await expect(pool.query(text, [1])).rejects.toMatchObject({ code: '0A000' });
    expect((await pool.query(text, [1])).rows).toEqual([{ id: 1, note: 'one', extra: 'new' }]);
  });

  it('prepares nothing behind a transaction pooler (a direct URL given), which could not keep it', async () => {
    const pooled = createPool({ url: own.databaseUrl, schema: own.schema, directUrl: own.databaseUrl, max: 1 }, logger);
    try {
      const text = `SELECT note FROM ${own.schema}.items WHERE id = $1`;
      expect((await pooled.query(text, [2])).rows).toEqual([{ note: 'two' }]);
      expect(await prepared(pooled)).toEqual([]);
    } finally {
      await pooled.end();
    }
  });
});

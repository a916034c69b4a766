import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/db/index.ts';

// The SQLite driver builds rows itself from better-sqlite3's raw values (group-commit.ts, rowMakerOf):
// every row must come out as better-sqlite3's own row objects would, whatever the statement.
describe('rows read through the SQLite driver', () => {
  let file: string;
  let database: Database;
  let plain: SqliteDatabase.Database;

  beforeAll(async () => {
    file = join(mkdtempSync(join(tmpdir(), 'tessera-rows-')), 'r.db');
    database = openDatabase({ sqliteFile: file });
    await sql`CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT, weight REAL, data BLOB, note TEXT)`.execute(database.db);
    await sql`CREATE TABLE tags (id INTEGER PRIMARY KEY, thing_id INTEGER, name TEXT)`.execute(database.db);
    await sql`INSERT INTO things (name, weight, data, note) VALUES ('one', 1.5, x'00ff', NULL), ('two', -2, NULL, 'n'), ('it''s "three"', 0, x'', '')`.execute(database.db);
    await sql`INSERT INTO tags (thing_id, name) VALUES (1, 'red'), (1, 'big'), (2, 'blue')`.execute(database.db);
    // What better-sqlite3 itself returns, on a connection of its own.
    plain = new SqliteDatabase(file, { readonly: true });
  });
  afterAll(async () => {
    plain.close();
    await database.dialect.close();
  });

  const cases: Array<[string, string]> = [
    ['every column type, NULLs and empty values', 'SELECT * FROM things ORDER BY id'],
    ['the same column name twice (the last one wins)', 'SELECT things.*, tags.* FROM things JOIN tags ON tags.thing_id = things.id ORDER BY tags.id'],
    ['expressions and aliases', "SELECT count(*), max(weight) AS heaviest, 'x' || name AS \"odd name\" FROM things GROUP BY name ORDER BY name"],
    ['a column named __proto__ (NULL in the first row)', 'SELECT note AS __proto__, id FROM things ORDER BY id'],
    ['no rows', 'SELECT * FROM things WHERE id < 0'],
  ];

  it.each(cases)('%s', async (_what, text) => {
    const ours = (await sql.raw(text).execute(database.db)).rows;
    const theirs = plain.prepare(text).all();
    expect(ours).toEqual(theirs);
    // Same keys in the same order, and plain objects (a row is spread and serialised as it is).
    expect(ours.map((r) => Object.keys(r as object))).toEqual(theirs.map((r) => Object.keys(r as object)));
    expect(ours.map((r) => Object.getPrototypeOf(r))).toEqual(theirs.map((r) => Object.getPrototypeOf(r)));
    // Again, now that the statement is prepared and kept: the second run takes the same path.
    expect((await sql.raw(text).execute(database.db)).rows).toEqual(theirs);
  });

  it('gives the same rows inside a transaction, from RETURNING, and when streamed', async () => {
    const inside = await database.db.transaction().execute(async (trx) => {
      const added = await sql`INSERT INTO tags (thing_id, name) VALUES (3, 'new') RETURNING *`.execute(trx);
      const joined = await sql`SELECT things.name, tags.name FROM things JOIN tags ON tags.thing_id = things.id WHERE tags.id = ${(added.rows[0] as { id: number }).id}`.execute(trx);
      return { added: added.rows, joined: joined.rows };
    });
    expect(inside.added).toEqual([{ id: 4, thing_id: 3, name: 'new' }]);
    expect(inside.joined).toEqual([{ name: 'new' }]);

    const streamed: unknown[] = [];
    for await (const row of database.db.selectFrom('tags' as never).selectAll().orderBy('id' as never).stream()) streamed.push(row);
    expect(streamed).toEqual(plain.prepare('SELECT * FROM tags ORDER BY id').all());
    expect(streamed).toHaveLength(4);
  });
});

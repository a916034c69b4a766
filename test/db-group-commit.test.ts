import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/db/index.ts';

/** WAL frames written so far: each commit writes at least one frame per page it changed. */
function walFrames(file: string): number {
  const size = statSync(`${file}-wal`).size;
  return Math.max(0, (size - 32) / (4096 + 24));
}

describe('SQLite transactions commit in groups', () => {
  let file: string;
  let database: Database;
  let other: SqliteDatabase.Database;

  beforeEach(async () => {
    file = join(mkdtempSync(join(tmpdir(), 'tessera-group-')), 'g.db');
    database = openDatabase({ sqliteFile: file });
    await sql`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`.execute(database.db);
    // Another connection to the same file sees only what is committed.
    other = new SqliteDatabase(file, { readonly: true });
  });
  afterEach(async () => {
    other.close();
    await database.dialect.close();
  });

  const committedBodies = () => (other.prepare('SELECT body FROM notes ORDER BY id').all() as Array<{ body: string }>).map((r) => r.body);

  it('reports a transaction done only once it is committed', async () => {
    let seenInside: string[] = [];
    const done = database.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO notes (body) VALUES ('one')`.execute(trx);
      seenInside = committedBodies();
    });
    await done;
    expect(seenInside).toEqual([]);
    expect(committedBodies()).toEqual(['one']);
  });

  it('commits transactions that arrive together once, and a failed one leaves the others alone', async () => {
    const before = walFrames(file);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        database.db.transaction().execute(async (trx) => {
          await sql`INSERT INTO notes (body) VALUES (${`n${i}`})`.execute(trx);
          if (i === 7) throw new Error('this one fails');
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.message)).toEqual(['this one fails']);
    const bodies = committedBodies();
    expect(bodies).toHaveLength(49);
    expect(bodies).not.toContain('n7');
    // Fifty commits of one page each would write fifty frames or more.
    expect(walFrames(file) - before).toBeLessThan(10);
  });

  it('makes a write outside a transaction wait for the group it joined', async () => {
    const inTransaction = database.db.transaction().execute((trx) => sql`INSERT INTO notes (body) VALUES ('in')`.execute(trx));
    const alone = sql`INSERT INTO notes (body) VALUES ('alone')`.execute(database.db);
    await alone;
    expect(committedBodies()).toEqual(['in', 'alone']);
    await inTransaction;
  });

  it('commits what is open when the database closes', async () => {
    const pending = database.db.transaction().execute((trx) => sql`INSERT INTO notes (body) VALUES ('last')`.execute(trx));
    await database.dialect.close();
    await pending;
    expect(committedBodies()).toEqual(['last']);
    database = openDatabase({ sqliteFile: file });
  });
});

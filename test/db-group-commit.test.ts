import { mkdtempSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bulkTransaction, type Database, openDatabase } from '../src/db/index.ts';
import { AFTER_TURN_AT_MOST } from '../src/db/group-commit.ts';

/** WAL frames written so far: each commit writes at least one frame per page it changed. */
function walFrames(file: string): number {
  const size = statSync(`${file}-wal`).size;
  return Math.max(0, (size - 32) / (4096 + 24));
}

/** SQLite's temporary files this process holds open (created as etilqs_*, unlinked at once). */
function openTempFiles(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).includes('etilqs_')) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
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

  describe('cohorts: atEndOfTurn and afterThisTurn', () => {
    type Seen = { committed?: string[] };
    const insertWhen = async (wait: () => Promise<void> | undefined, body: string, seen: Seen) => {
      await wait();
      await database.db.transaction().execute(async (trx) => {
        seen.committed = committedBodies();
        await sql`INSERT INTO notes (body) VALUES (${body})`.execute(trx);
      });
    };
    const afterThisTurn = () => database.dialect.afterThisTurn();
    const atEndOfTurn = () => database.dialect.atEndOfTurn();

    it('runs the end-of-turn cohort with the turn\'s group, and the after-turn cohort in a group of its own after it commits', async () => {
      const after1: Seen = {};
      const after2: Seen = {};
      const end1: Seen = {};
      const end2: Seen = {};
      // All ask in one turn, before the transaction that begins at once.
      const asked = [insertWhen(afterThisTurn, 'after 1', after1), insertWhen(atEndOfTurn, 'end 1', end1), insertWhen(afterThisTurn, 'after 2', after2), insertWhen(atEndOfTurn, 'end 2', end2)];
      const now = database.db.transaction().execute((trx) => sql`INSERT INTO notes (body) VALUES ('now')`.execute(trx));
      await Promise.all([...asked, now]);
      // The end-of-turn cohort ran after 'now' and before the group committed.
      expect(end1.committed).toEqual([]);
      expect(end2.committed).toEqual([]);
      // The after-turn cohort ran once it had, and its two shared one group.
      expect(after1.committed).toEqual(['now', 'end 1', 'end 2']);
      expect(after2.committed).toEqual(['now', 'end 1', 'end 2']);
      expect(committedBodies()).toEqual(['now', 'end 1', 'end 2', 'after 1', 'after 2']);
    });

    it(`lets at most ${AFTER_TURN_AT_MOST} after-turn callers go per turn, the rest at the end of the turns after`, async () => {
      const seen: Seen[] = Array.from({ length: 2 * AFTER_TURN_AT_MOST + 3 }, () => ({}));
      const now = database.db.transaction().execute((trx) => sql`INSERT INTO notes (body) VALUES ('now')`.execute(trx));
      await Promise.all([now, ...seen.map((s, i) => insertWhen(afterThisTurn, `after ${i}`, s))]);
      // Each batch ran once the batches before it had committed, in a group of its own.
      const batchesBefore = seen.map((s) => ((s.committed?.length ?? 0) - 1) / AFTER_TURN_AT_MOST);
      expect(batchesBefore).toEqual(seen.map((_, i) => Math.floor(i / AFTER_TURN_AT_MOST)));
      expect(committedBodies()).toHaveLength(seen.length + 1);
    });

    it('lets callers go when no transaction is open, and one who asks late waits only for the next turn', async () => {
      const alone: Seen = {};
      await insertWhen(afterThisTurn, 'alone', alone);
      expect(alone.committed).toEqual([]);
      const early: Seen = {};
      const late: Seen = {};
      // 'late' asks for the end of the turn while the end-of-turn cohort is already running.
      await Promise.all([insertWhen(atEndOfTurn, 'early', early).then(() => undefined), insertWhen(() => atEndOfTurn()?.then(() => atEndOfTurn()), 'late', late)]);
      expect(committedBodies()).toEqual(['alone', 'early', 'late']);
      expect(late.committed).toEqual(['alone', 'early']);
    });
  });

  describe("a transaction's savepoint journal", () => {
    // Rows of 1 KiB: changing 200 of them changes some 50 pages, a journal of about 200 KiB (SQLite moves
    // one to a temporary file past 64 KiB).
    const big = 'x'.repeat(1000);
    beforeEach(async () => {
      await sql`INSERT INTO notes (body) SELECT ${big} FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) SELECT i FROM n)`.execute(database.db);
    });
    const changeMany = (db: typeof database.db, body: string) => sql`UPDATE notes SET body = ${body} WHERE id % 2 = 0`.execute(db);

    it('stays in memory in a group, rolls back a large failed transaction alone, and leaves sorts on disk', async () => {
      let filesInside = -1;
      let tempStoreInside: unknown;
      const failing = database.db.transaction().execute(async (trx) => {
        await changeMany(trx, 'changed, then rolled back');
        filesInside = openTempFiles();
        tempStoreInside = (await sql<{ temp_store: number }>`PRAGMA temp_store`.execute(trx)).rows[0].temp_store;
        throw new Error('fails after changing 200 rows');
      });
      const other = database.db.transaction().execute((trx) => sql`INSERT INTO notes (body) VALUES ('other')`.execute(trx));
      await expect(failing).rejects.toThrow('fails after changing 200 rows');
      await other;
      expect(filesInside).toBe(0);
      // Back to the default (a file) for anything else that needs temporary storage, such as a large sort.
      expect(tempStoreInside).toBe(0);
      const bodies = committedBodies();
      expect(bodies.filter((b) => b === big)).toHaveLength(400);
      expect(bodies.at(-1)).toBe('other');
    });

    it('goes to disk for a bulk transaction, which gets a group of its own', async () => {
      let filesInside = -1;
      let committedInside: string[] = [];
      const before = database.db.transaction().execute((trx) => sql`INSERT INTO notes (body) VALUES ('before')`.execute(trx));
      const bulk = bulkTransaction(database.db).execute(async (trx) => {
        await changeMany(trx, 'bulk');
        filesInside = openTempFiles();
        committedInside = committedBodies();
      });
      await Promise.all([before, bulk]);
      expect(filesInside).toBeGreaterThan(0);
      // The group open when it began was committed first.
      expect(committedInside.at(-1)).toBe('before');
      expect(committedBodies().filter((b) => b === 'bulk')).toHaveLength(200);
    });

    it('goes to disk for every transaction while whileBulk runs (the migrator), and to memory again after', async () => {
      let filesInside = -1;
      await database.dialect.whileBulk(() =>
        database.db.transaction().execute(async (trx) => {
          await changeMany(trx, 'migrating');
          filesInside = openTempFiles();
        }),
      );
      expect(filesInside).toBeGreaterThan(0);
      let filesAfter = -1;
      await database.db.transaction().execute(async (trx) => {
        await changeMany(trx, 'after');
        filesAfter = openTempFiles();
      });
      expect(filesAfter).toBe(0);
    });
  });
});

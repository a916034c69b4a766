import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { RESTART_WAL_AT_PAGES } from '../src/db/background-checkpoints.ts';
import { openDatabase } from '../src/db/index.ts';

const PAGE = 4096;

/** The WAL file's size in pages: it is reused from the start after a complete checkpoint, so this is its high-water mark. */
const walPages = (file: string) => statSync(`${file}-wal`).size / (PAGE + 24);

/** Writes `rounds` transactions of `rows` rows of about one page each, pausing between them as a server does between groups. */
async function writePages(database: ReturnType<typeof openDatabase>, rounds: number, rows: number): Promise<void> {
  await sql`CREATE TABLE pages (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`.execute(database.db);
  const body = Buffer.alloc(PAGE - 200, 7);
  for (let r = 0; r < rounds; r++) {
    await database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows; i++) await sql`INSERT INTO pages (body) VALUES (${body})`.execute(trx);
    });
    await sleep(25);
  }
}

describe('SQLite checkpoints on a thread of their own (a server)', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'tessera-checkpoints-'));

  it('copies the WAL between groups so it starts over, and loses nothing', async () => {
    const file = join(dir(), 'c.db');
    const database = openDatabase({ sqliteFile: file, checkpointInBackground: true });
    // The serving connection's own checkpoints are off, so only the thread can start the WAL over.
    await sql`PRAGMA wal_autocheckpoint = 0`.execute(database.db);
    await writePages(database, 50, 600);
    // 30,000 pages went through. Idle, the thread copies each transaction in the gap after it (a WAL of a
    // few hundred pages); with other processes fsyncing beside it a copy can take a few gaps, and then a
    // pause at RESTART_WAL_AT_PAGES starts it over (measured up to 8,500 pages beside three such
    // processes). Half the pages leaves room for a slower disk; without the thread all of them stay.
    expect(walPages(file)).toBeLessThan(30_000 / 2);
    await database.dialect.close();
    const reader = new SqliteDatabase(file, { readonly: true });
    expect(reader.prepare('SELECT count(*) AS n FROM pages').get()).toEqual({ n: 30_000 });
    reader.close();
  });

  it('starts the WAL over under steady load, with no pause between groups for the thread to catch up', async () => {
    const file = join(dir(), 'c.db');
    const database = openDatabase({ sqliteFile: file, checkpointInBackground: true });
    await sql`CREATE TABLE pages (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`.execute(database.db);
    // The serving connection's own checkpoints are off, so only the thread's pauses can start the WAL over.
    await sql`PRAGMA wal_autocheckpoint = 0`.execute(database.db);
    const body = Buffer.alloc(PAGE - 200, 7);
    // 16 writers, each a transaction after another as fast as they commit: a new group every turn.
    const writers = 16;
    const perWriter = 5_000;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let i = 0; i < perWriter; i++) {
          await database.db.transaction().execute(async (trx) => {
            await sql`INSERT INTO pages (body) VALUES (${body})`.execute(trx);
          });
        }
      }),
    );
    // Without the pauses the WAL never starts over and holds all 80,000 pages. With them it starts over
    // soon after passing RESTART_WAL_AT_PAGES, how soon depending on the disk (the thread's copy waits for
    // it): 9,300-13,200 pages alone on one machine, 21,700 beside the rest of the suite there. Half the pages
    // leaves room for a slower disk.
    expect(walPages(file)).toBeGreaterThan(RESTART_WAL_AT_PAGES / 2);
    expect(walPages(file)).toBeLessThan((writers * perWriter) / 2);
    await database.dialect.close();
    const reader = new SqliteDatabase(file, { readonly: true });
    expect(reader.prepare('SELECT count(*) AS n FROM pages').get()).toEqual({ n: writers * perWriter });
    reader.close();
  });

  it('is not started for a one-shot command, which checkpoints as SQLite does by itself', async () => {
    const file = join(dir(), 'c.db');
    const database = openDatabase({ sqliteFile: file });
    const { rows } = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(database.db);
    expect(rows[0].wal_autocheckpoint).toBe(1000);
    await database.dialect.close();
  });
});

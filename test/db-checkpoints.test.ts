import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { FALLBACK_AUTOCHECKPOINT_PAGES, RESTART_WAL_AT_PAGES } from '../src/db/background-checkpoints.ts';
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

  it("keeps the WAL far below the serving connection's own threshold, and loses nothing", async () => {
    const file = join(dir(), 'c.db');
    const database = openDatabase({ sqliteFile: file, checkpointInBackground: true });
    // 12,000 pages: more than the serving connection lets its WAL reach before checkpointing itself.
    await writePages(database, 30, 400);
    // Each pause lets the thread copy what the last transaction wrote and the next one start the WAL over;
    // on a loaded machine a tick can miss a pause, so this allows a dozen transactions without a restart.
    expect(walPages(file)).toBeLessThan(FALLBACK_AUTOCHECKPOINT_PAGES / 2);
    await database.dialect.close();
    const reader = new SqliteDatabase(file, { readonly: true });
    expect(reader.prepare('SELECT count(*) AS n FROM pages').get()).toEqual({ n: 12_000 });
    reader.close();
  });

  it('starts the WAL over under steady load, with no pause between groups for the thread to catch up', async () => {
    const file = join(dir(), 'c.db');
    const database = openDatabase({ sqliteFile: file, checkpointInBackground: true });
    await sql`CREATE TABLE pages (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`.execute(database.db);
    const body = Buffer.alloc(PAGE - 200, 7);
    // 16 writers, each a transaction after another as fast as they commit: a new group every turn.
    const writers = 16;
    const perWriter = 1_500;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let i = 0; i < perWriter; i++) {
          await database.db.transaction().execute(async (trx) => {
            await sql`INSERT INTO pages (body) VALUES (${body})`.execute(trx);
          });
        }
      }),
    );
    // 24,000 pages went through a WAL that started over each time it passed RESTART_WAL_AT_PAGES; left
    // to itself it reached FALLBACK_AUTOCHECKPOINT_PAGES, where the serving connection copies it.
    expect(walPages(file)).toBeGreaterThan(RESTART_WAL_AT_PAGES / 2);
    expect(walPages(file)).toBeLessThan(FALLBACK_AUTOCHECKPOINT_PAGES);
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

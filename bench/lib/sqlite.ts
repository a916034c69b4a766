import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';

/**
 * A bare better-sqlite3 handle with the pragmas src/db/dialect.ts sets (WAL, synchronous=NORMAL,
 * foreign keys, 64 MB page cache), so bare baselines run under the same durability as the app.
 */
export function openRawSqlite(file: string, opts: { readonly?: boolean } = {}): SqliteDatabase.Database {
  const raw = new SqliteDatabase(file, { readonly: opts.readonly ?? false });
  if (!opts.readonly) raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 10000');
  raw.pragma('cache_size = -65536');
  return raw;
}

/** Folds the WAL into the main file so the .db file alone is a complete copy. */
export function checkpoint(file: string): void {
  const raw = new SqliteDatabase(file);
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
}

/** Copies the SQLite database in `fromDir` (tessera.db, checkpointed first) into `toDir`. */
export function copySqliteDataDir(fromDir: string, toDir: string): void {
  checkpoint(join(fromDir, 'tessera.db'));
  mkdirSync(toDir, { recursive: true });
  copyFileSync(join(fromDir, 'tessera.db'), join(toDir, 'tessera.db'));
}

export function sqliteVersion(): string {
  const raw = new SqliteDatabase(':memory:');
  const { v } = raw.prepare('select sqlite_version() as v').get() as { v: string };
  raw.close();
  return v;
}

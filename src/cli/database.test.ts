import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, openConfiguredDatabase } from '../db/index.ts';
import { openForCommand } from './database.ts';

const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function pageCacheKib(database: Database): Promise<number> {
  try {
    const { rows } = await sql<{ cache_size: number }>`PRAGMA cache_size`.execute(database.db);
    return -rows[0].cache_size;
  } finally {
    await database.dialect.close();
  }
}

describe('SQLite page cache by use', () => {
  it('keeps a small cache for a one-shot command and a large one for the server', async () => {
    const config = { databaseUrl: undefined, dataDir: dir };
    expect(await pageCacheKib(openForCommand(config))).toBe(2 * 1024);
    expect(await pageCacheKib(openConfiguredDatabase(config))).toBe(64 * 1024);
  });
});

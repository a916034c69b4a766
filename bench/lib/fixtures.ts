import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, migrateToLatest, openDatabase } from '../../src/db/index.ts';
import { createApiKey, findUserByEmail } from '../../src/modules/accounts/index.ts';
import { hashPassword } from '../../src/modules/accounts/password.ts';
import { BENCH_PASSWORD, BENCH_SECRET, log, runDir, tessera } from './common.ts';
import { ensureJsonl } from './data.ts';

export const REQUESTER_EMAIL = 'requester@bench.test';
export const PROJECT_PARAMS = JSON.stringify({ categories: ['a', 'b', 'c'] });
export const OVERLAP = 3;

/** Environment that points the CLI at a SQLite data folder or a PostgreSQL database. */
export function storageEnv(target: { dataDir: string } | { url: string }): Record<string, string> {
  return 'url' in target ? { DATABASE_URL: target.url } : { DATA_DIR: target.dataDir };
}

/** Creates the requester and an overlap-3 categorization project through the CLI. */
export async function createRequesterAndProject(env: Record<string, string>, project: string): Promise<void> {
  await tessera(['user', 'create', '--email', REQUESTER_EMAIL, '--role', 'requester', '--password', BENCH_PASSWORD], env);
  await tessera(['project', 'create', '--name', project, '--type', 'categorization', '--owner', REQUESTER_EMAIL, '--params', PROJECT_PARAMS, '--overlap', String(OVERLAP)], env);
}

export const SQLITE_1M = { project: 'bench-1m', rows: 1_000_000 };

/** Where the run's 1M-task SQLite database lives (DATA_DIR of the import section's first import). */
export function sqlite1mDir(): string {
  return join(runDir(), 'sqlite-1m');
}

/** Marks the 1M-task SQLite database as complete, for later sections of this run. */
export function markSqlite1mReady(): void {
  writeFileSync(join(sqlite1mDir(), 'READY'), new Date().toISOString());
}

/**
 * The run's 1M-task SQLite database (project bench-1m, overlap 3, 5% gold). Built by the import
 * section; a section run without it imports the file itself through the CLI.
 */
export async function ensureSqlite1m(): Promise<{ dataDir: string; project: string }> {
  const dataDir = sqlite1mDir();
  if (!existsSync(join(dataDir, 'READY'))) {
    const file = await ensureJsonl(SQLITE_1M.rows);
    log('building the 1M-task SQLite database (no import section in this run)');
    const { rmSync, mkdirSync } = await import('node:fs');
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const env = storageEnv({ dataDir });
    await createRequesterAndProject(env, SQLITE_1M.project);
    await tessera(['import', file, '--project', SQLITE_1M.project, '--quiet'], env);
    markSqlite1mReady();
  }
  // The code may have gained a migration since the database was built (others edit src/ meanwhile).
  const database = openSqliteDataDir(dataDir);
  await migrateToLatest(database);
  await database.dialect.close();
  return { dataDir, project: SQLITE_1M.project };
}

export function openSqliteDataDir(dataDir: string): Database {
  return openDatabase({ sqliteFile: join(dataDir, 'tessera.db') });
}

/** A fresh API key for the bench requester. */
export async function requesterKey(database: Database): Promise<string> {
  const user = await findUserByEmail(database.db, REQUESTER_EMAIL);
  if (!user) throw new Error(`no ${REQUESTER_EMAIL} in this database`);
  return (await createApiKey(database.db, BENCH_SECRET, user.id, { name: 'bench' }, Date.now())).key;
}

/**
 * n workers with an API key each, fast: users inserted directly with one shared password hash
 * (hashing is slow on purpose), keys minted with createApiKey (the idea of makeWorkers in
 * test/helpers/harness.ts, which cannot be imported outside vitest).
 */
export async function makeWorkers(database: Database, n: number, prefix: string): Promise<Array<{ id: number; key: string }>> {
  const hash = await hashPassword(BENCH_PASSWORD);
  const now = Date.now();
  const out: Array<{ id: number; key: string }> = [];
  for (let start = 0; start < n; start += 100) {
    const rows = await database.db
      .insertInto('users')
      .values(
        [...Array(Math.min(100, n - start)).keys()].map((j) => ({
          email: `${prefix}-${start + j}@bench.test`,
          password_hash: hash,
          role: 'worker' as const,
          display_name: `w${start + j}`,
          languages: '["en"]',
          locale: 'en',
          timezone: 'UTC',
          active: 1,
          created_at: now,
        })),
      )
      .returning(['id'])
      .execute();
    for (const row of rows) out.push({ id: Number(row.id), key: (await createApiKey(database.db, BENCH_SECRET, Number(row.id), {}, now)).key });
  }
  return out;
}

import { join } from 'node:path';
import type { Kysely, TransactionBuilder } from 'kysely';
import type { Config } from '../server/env.ts';
import { type Database, openDatabase } from './dialect.ts';

export type { BulkColumn, Database, DialectAdapter } from './dialect.ts';
export { openDatabase } from './dialect.ts';
export { migrateToLatest } from './migrate.ts';
export type * from './schema.ts';

/**
 * Opens the database the configuration names: PostgreSQL when DATABASE_URL is set, else SQLite in
 * DATA_DIR. `pageCacheMb` sizes SQLite's page cache (default: a server's).
 */
export function openConfiguredDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>, opts: { pageCacheMb?: number; checkpointInBackground?: boolean } = {}): Database {
  if (config.databaseUrl) return openDatabase({ postgresUrl: config.databaseUrl });
  return openDatabase({ sqliteFile: join(config.dataDir, 'tessera.db'), ...opts });
}
export { prepared, writeBehind } from './prepared.ts';
export { transactWithRetry } from './retry.ts';

/**
 * A transaction that may change any number of rows (every task of a batch). On SQLite it gets a commit
 * group of its own whose rollback journal may grow on disk (group-commit.ts); elsewhere it is an ordinary
 * transaction (PostgreSQL's `START TRANSACTION READ WRITE` is its default mode).
 */
export function bulkTransaction<S>(db: Kysely<S>): TransactionBuilder<S> {
  return db.transaction().setAccessMode('read write');
}

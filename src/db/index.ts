import { join } from 'node:path';
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
export { bulkTransaction } from './bulk.ts';
export { prepared, writeBehind } from './prepared.ts';
export { transactWithRetry } from './retry.ts';
export { foldWalIntoFile } from './sqlite-file.ts';

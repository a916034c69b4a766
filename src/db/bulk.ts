import type { Kysely, TransactionBuilder } from 'kysely';

/**
 * A transaction that may change any number of rows (every task of a batch). On SQLite it gets a commit
 * group of its own whose rollback journal may grow on disk (group-commit.ts); elsewhere it is an ordinary
 * transaction (PostgreSQL's `START TRANSACTION READ WRITE` is its default mode).
 */
export function bulkTransaction<S>(db: Kysely<S>): TransactionBuilder<S> {
  return db.transaction().setAccessMode('read write');
}

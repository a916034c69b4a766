import type { Transaction } from 'kysely';
import type { Database } from './dialect.ts';
import type { DB } from './schema.ts';

// PostgreSQL aborts one transaction of a lock cycle (deadlock_detected) and may refuse one under
// contention (serialization_failure); both rolled back everything, so running it again is safe.
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 4;

function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && RETRYABLE.has((error as { code?: unknown }).code as string);
}

/**
 * Runs `fn` in a transaction, and again (up to four times in all, after a short random pause) when
 * the database aborted it to break a deadlock. For transactions that may lock several ledger
 * accounts in an order other transactions do not share. `fn` must have no effect outside the transaction.
 */
export async function transactWithRetry<T>(database: Database, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await database.db.transaction().execute(fn);
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}

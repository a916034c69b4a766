import type { Kysely } from 'kysely';
import type { DB } from '../../db/index.ts';

/**
 * Counts one hit for `key` in the current fixed window and returns the count so far.
 * Windows live in the database so every node sees the same count.
 */
export async function countHit(db: Kysely<DB>, key: string, windowMs: number, now: number): Promise<{ count: number; retryAfterSeconds: number }> {
  const windowStart = now - (now % windowMs);
  const row = await db
    .insertInto('rate_windows')
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ count: eb('rate_windows.count', '+', 1) })))
    .returning('count')
    .executeTakeFirstOrThrow();
  return { count: row.count, retryAfterSeconds: Math.ceil((windowStart + windowMs - now) / 1000) };
}

/** Deletes windows that ended before `before`. */
export async function pruneRateWindows(db: Kysely<DB>, before: number): Promise<void> {
  await db.deleteFrom('rate_windows').where('window_start', '<', before).execute();
}

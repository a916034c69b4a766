import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/**
 * The decisions waiting for a second person, for the reviewers' list (`status = 'pending_second'`, a
 * literal there). Without it that list read every decision ever made, oldest first, until it had 500
 * pending ones. Few decisions need a second person, so the index stays small.
 */
export async function up(db: Kysely<unknown>, _d: DialectAdapter): Promise<void> {
  await sql`CREATE INDEX decisions_pending ON decisions (id) WHERE status = 'pending_second'`.execute(db);
}

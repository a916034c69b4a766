import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/**
 * On PostgreSQL, assignments_due keeps only active assignments, the one thing it is asked (the lease
 * sweeper's `status = 'active'`, a literal). An answer leaves it when it ends, so each submit writes one
 * index entry fewer, and a read of one task's submitted answers can no longer pair the task's index with
 * every submitted answer by status, as PostgreSQL did until its first ANALYZE of the table (13.5 million
 * index entries read in one 20-second benchmark run, autovacuum off). SQLite keeps the full index: it
 * would plan each statement naming status with a bound value again at every run (0010), and it has
 * fixed estimates instead (0012).
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  if (!d.partialIndexPlannedOnce) return;
  await sql`DROP INDEX assignments_due`.execute(db);
  await sql`CREATE INDEX assignments_due ON assignments (lease_expires_at) WHERE status = 'active'`.execute(db);
}

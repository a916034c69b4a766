import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/**
 * tasks_prelabel_due keeps only tasks waiting for a model's pre-label, the one thing it is asked
 * (`prelabel_status = 'pending'`, a literal in the job's query, as a partial index needs). Every
 * other task stays out of it, so an import no longer writes an entry per task there, and on
 * PostgreSQL neither does each claim and submit (their updates of a task write a new entry in
 * every index whose predicate the row meets).
 */
export async function up(db: Kysely<unknown>, _d: DialectAdapter): Promise<void> {
  await sql`DROP INDEX tasks_prelabel_due`.execute(db);
  await sql`CREATE INDEX tasks_prelabel_due ON tasks (prelabel_next_at) WHERE prelabel_status = 'pending'`.execute(db);
}

import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/**
 * The work-queue index with its open-slots term written column first: SQLite cannot match
 * `answers_count + active_count < responses_required` from a query against an index predicate, so
 * the index was never used (a full scan per claim); `responses_required > answers_count + active_count`
 * it can. The claim query repeats this predicate exactly.
 */
export async function up(db: Kysely<unknown>, _d: DialectAdapter): Promise<void> {
  await sql`DROP INDEX tasks_queue`.execute(db);
  await sql`CREATE INDEX tasks_queue ON tasks (project_id, priority DESC, (responses_required - answers_count), id)
    WHERE status = 'pending' AND is_gold = 0 AND is_test = 0 AND held = 0 AND responses_required > answers_count + active_count`.execute(db);
}

import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/**
 * The work-queue index without the open-slots term: SQLite cannot prove `a + b < c` from a query,
 * so that term kept the index from being used at all (a full scan per claim). The claim query
 * still filters on open slots; tasks whose slots are all taken are few and skipped in the walk.
 */
export async function up(db: Kysely<unknown>, _d: DialectAdapter): Promise<void> {
  await sql`DROP INDEX tasks_queue`.execute(db);
  await sql`CREATE INDEX tasks_queue ON tasks (project_id, priority DESC, (responses_required - answers_count), id)
    WHERE status = 'pending' AND is_gold = 0 AND is_test = 0 AND held = 0`.execute(db);
}

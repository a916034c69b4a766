import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/**
 * A gold item's scored answers, with all the dispute check reads of each (quarantineIfDisputed): a gold
 * item is answered by every worker who meets it, so the check walked a couple of hundred answers on a
 * crowd of 200, each a seek into the table for its status, project and score (540 us a gold submit;
 * 63 us from this index alone). Only answers with a gold score enter it, so a regular submit writes
 * nothing to it. Its condition names no status: on SQLite that would make every statement comparing
 * status with a bound value plan again at each run (0010, 0015).
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  await sql`CREATE INDEX assignments_gold_answers ON assignments (task_id, status, project_id, worker_id, gold_score) WHERE gold_score IS NOT NULL`.execute(db);
  // SQLite's fixed estimates (0012, 0015), with the new index as selective as (task_id, worker_id), which
  // it covers: told how many answers a gold item really has, SQLite would seek every one in the table.
  await d.describeShape(db, 'assignments', {
    rows: 1_000_000,
    indexes: {
      assignments_task_worker: [3, 1],
      assignments_worker_project: [500, 250, 100],
      assignments_due: [1],
      assignments_project_due: [100_000, 1],
      assignments_gold_answers: [3, 3, 1, 1, 1],
    },
  });
}

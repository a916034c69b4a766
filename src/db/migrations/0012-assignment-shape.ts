import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/**
 * What the assignments table looks like at scale, for a planner without statistics (SQLite): a task
 * has a few answers, a worker hundreds, a status a quarter of all rows. Since 0010 dropped the
 * (task_id, status) index, SQLite blind chose the status index for "this task's submitted answers",
 * reading every submitted answer in the database: each gold submit's dispute check, the answers a
 * review or an export reads, grew with the whole table (16 ms a gold submit at 140k answers).
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  await d.describeShape(db, 'assignments', {
    rows: 1_000_000,
    indexes: {
      assignments_task_worker: [3, 1],
      assignments_worker_project: [500, 250, 100],
      assignments_due: [250_000, 1],
      assignments_project_due: [100_000, 25_000, 1],
    },
  });
}

import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/**
 * Both lease indexes keep active assignments only, on both databases: their condition is
 * `ended_at IS NULL`, which holds exactly while an assignment is active (every end sets ended_at). An
 * answer then leaves them when it ends and enters neither again, so a submit writes two index entries
 * fewer and the indexes stay as small as the work in progress, their few pages written by every group
 * of claims and submits instead of the tail of an ever-growing index. On SQLite a condition on status
 * would make every statement that compares status with a bound value plan again at each run (0010);
 * none compares ended_at for equality with one, which is what SQLite checks for. 0013's index on
 * PostgreSQL held the same rows under `status = 'active'`.
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  await sql`DROP INDEX assignments_due`.execute(db);
  await sql`DROP INDEX assignments_project_due`.execute(db);
  await sql`CREATE INDEX assignments_due ON assignments (lease_expires_at) WHERE ended_at IS NULL`.execute(db);
  await sql`CREATE INDEX assignments_project_due ON assignments (project_id, lease_expires_at) WHERE ended_at IS NULL`.execute(db);
  // SQLite's fixed estimates (0012), for the new columns.
  await d.describeShape(db, 'assignments', {
    rows: 1_000_000,
    indexes: { assignments_task_worker: [3, 1], assignments_worker_project: [500, 250, 100], assignments_due: [1], assignments_project_due: [100_000, 1] },
  });
}

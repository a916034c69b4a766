import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/**
 * Fewer index pages written by each claim and submit: every page an index entry moves through is
 * written again at commit (on SQLite, a WAL frame each).
 * - assignments_task_status goes: (task_id, worker_id) already finds a task's few assignments.
 * - tasks_review_queue keeps only tasks in review, so a claim or submit moving a task between queued
 *   and in progress no longer touches it. Its two queries name 'in_review' as a literal, which the
 *   partial index needs.
 * Not assignments_due: SQLite re-plans, on every run, a statement whose bound value decides whether
 * a partial index applies, and the answer queries filter assignments by a bound status.
 */
export async function up(db: Kysely<unknown>, _d: DialectAdapter): Promise<void> {
  await sql`DROP INDEX assignments_task_status`.execute(db);
  await sql`DROP INDEX tasks_review_queue`.execute(db);
  await sql`CREATE INDEX tasks_review_queue ON tasks (project_id, id) WHERE sub_status = 'in_review'`.execute(db);
}

import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/**
 * Task counts per project and status, striped: every completion added to one row per (project,
 * status), and on PostgreSQL that row was the hottest lock of the work queue (a quarter of all lock
 * waits with two nodes under load). Now a change lands on one of several stripes and a count is the
 * sum of its stripes. Existing counts move to stripe 0.
 */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  await db.schema
    .createTable('project_task_count_stripes')
    .addColumn('project_id', d.bigint, (c) => c.notNull().references('projects.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('stripe', 'integer', (c) => c.notNull())
    .addColumn('n', d.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('project_task_count_stripes_pk', ['project_id', 'status', 'stripe'])
    .execute();
  await sql`INSERT INTO project_task_count_stripes (project_id, status, stripe, n) SELECT project_id, status, 0, n FROM project_task_counts`.execute(db);
  await db.schema.dropTable('project_task_counts').execute();
}

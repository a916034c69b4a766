import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/** Worker skill per project, task results, review decisions, and leases for background jobs. */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const big = d.bigint;
  await db.schema.alterTable('projects').addColumn('quality', 'text', (c) => c.notNull().defaultTo('{}')).execute();
  await db.schema.alterTable('tasks').addColumn('result', 'text').execute();
  await db.schema.alterTable('assignments').addColumn('review_status', 'text').execute();

  await db.schema
    .createTable('worker_quality')
    .addColumn('project_id', big, (c) => c.notNull().references('projects.id'))
    .addColumn('worker_id', big, (c) => c.notNull().references('users.id'))
    // Gold evidence: answers scored against gold, and the sum of their scores (Beta-binomial counts).
    .addColumn('gold_n', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('gold_correct', 'double precision', (c) => c.notNull().defaultTo(0))
    // Accuracy from the last full Dawid-Skene fit over the project, and its confusion matrix.
    .addColumn('fitted_accuracy', 'double precision')
    .addColumn('confusion', 'text')
    .addColumn('updated_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('worker_quality_pk', ['project_id', 'worker_id'])
    .execute();

  await d
    .addIdColumn(db.schema.createTable('review_decisions'), 'id')
    .addColumn('task_id', big, (c) => c.notNull().references('tasks.id'))
    .addColumn('assignment_id', big)
    .addColumn('reviewer_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('accept', 'fix', 'revise', 'reject')`))
    .addColumn('reason_code', 'text')
    .addColumn('text', 'text')
    .addColumn('evidence', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('review_decisions_task').on('review_decisions').columns(['task_id', 'id']).execute();

  await db.schema
    .createTable('quality_fits')
    .addColumn('project_id', big, (c) => c.primaryKey().references('projects.id'))
    .addColumn('answers_at_fit', big, (c) => c.notNull())
    .addColumn('iterations', 'integer', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('fitted_at', big, (c) => c.notNull())
    .execute();

  // A lease per job name, so a job runs on one node at a time whatever the database.
  await db.schema
    .createTable('job_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', big, (c) => c.notNull())
    .execute();

  await db.schema.createIndex('tasks_review_queue').on('tasks').columns(['project_id', 'sub_status', 'id']).execute();
  await db.schema.createIndex('assignments_task_status').on('assignments').columns(['task_id', 'status']).execute();
}

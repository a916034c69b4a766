import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/** Assignments (claims with leases and time), worker skills, and the work-queue indexes. */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const big = d.bigint;

  await d
    .addIdColumn(db.schema.createTable('assignments'), 'id')
    .addColumn('task_id', big, (c) => c.notNull().references('tasks.id'))
    .addColumn('project_id', big, (c) => c.notNull().references('projects.id'))
    .addColumn('worker_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'submitted', 'expired', 'skipped', 'released')`))
    .addColumn('is_gold', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('claimed_at', big, (c) => c.notNull())
    .addColumn('lease_expires_at', big, (c) => c.notNull())
    .addColumn('ended_at', big)
    .addColumn('response', 'text')
    .addColumn('gold_score', 'double precision')
    .addColumn('skip_reason', 'text')
    .addColumn('shown', 'text', (c) => c.notNull())
    // Time per FAIRWORK.md: active + short idle + long idle = end - claim.
    .addColumn('active_ms', big, (c) => c.notNull().defaultTo(0))
    .addColumn('short_idle_ms', big, (c) => c.notNull().defaultTo(0))
    .addColumn('long_idle_ms', big, (c) => c.notNull().defaultTo(0))
    .addColumn('idle_streak_ms', big, (c) => c.notNull().defaultTo(0))
    .addColumn('last_signal_at', big, (c) => c.notNull())
    .addColumn('idle_grace_ms', big, (c) => c.notNull())
    .execute();
  // A worker never holds the same task twice: enforced by the database, not by the claim query alone.
  await db.schema.createIndex('assignments_task_worker').unique().on('assignments').columns(['task_id', 'worker_id']).execute();
  await db.schema.createIndex('assignments_worker_project').on('assignments').columns(['worker_id', 'project_id', 'status']).execute();
  await db.schema.createIndex('assignments_due').on('assignments').columns(['status', 'lease_expires_at']).execute();
  await db.schema.createIndex('assignments_project_due').on('assignments').columns(['project_id', 'status', 'lease_expires_at']).execute();

  await db.schema
    .createTable('worker_skills')
    .addColumn('user_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('skill', 'text', (c) => c.notNull())
    .addColumn('granted_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('worker_skills_pk', ['user_id', 'skill'])
    .execute();

  await db.schema.alterTable('projects').addColumn('required_skills', 'text', (c) => c.notNull().defaultTo('[]')).execute();

  // The work queue: open, live, non-gold tasks in claim order. The claim query repeats this
  // predicate and order exactly, so both databases walk the index and stop at the first fit.
  await sql`CREATE INDEX tasks_queue ON tasks (project_id, priority DESC, (responses_required - answers_count), id)
    WHERE status = 'pending' AND is_gold = 0 AND is_test = 0 AND answers_count + active_count < responses_required`.execute(db);
  await sql`CREATE INDEX tasks_gold_queue ON tasks (project_id, id) WHERE status = 'pending' AND is_gold = 1 AND is_test = 0`.execute(db);
}

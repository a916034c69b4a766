import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/** Batches, held tasks, the webhook outbox and per-account webhook secrets. */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const big = d.bigint;

  await d
    .addIdColumn(db.schema.createTable('batches'), 'id')
    .addColumn('owner_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('project_id', big, (c) => c.notNull().references('projects.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('staging', 'in_progress', 'paused', 'completed', 'canceled')`))
    .addColumn('callback_url', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('finalized_at', big)
    .addColumn('completed_at', big)
    .execute();
  await db.schema.createIndex('batches_owner_name').unique().on('batches').columns(['owner_id', 'name']).execute();

  // A held task (its batch is staging, paused or canceled) is never handed out.
  await db.schema.alterTable('tasks').addColumn('held', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('tasks').addColumn('callback_succeeded', 'integer').execute();
  await db.schema.createIndex('tasks_owner_batch').on('tasks').columns(['owner_id', 'batch', 'status']).execute();
  await sql`DROP INDEX tasks_queue`.execute(db);
  await sql`CREATE INDEX tasks_queue ON tasks (project_id, priority DESC, (responses_required - answers_count), id)
    WHERE status = 'pending' AND is_gold = 0 AND is_test = 0 AND held = 0 AND answers_count + active_count < responses_required`.execute(db);

  await d
    .addIdColumn(db.schema.createTable('webhook_outbox'), 'id')
    .addColumn('owner_id', big, (c) => c.notNull())
    .addColumn('task_id', big)
    .addColumn('batch_id', big)
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    // Stable across retries: receivers deduplicate on it (at-least-once delivery).
    .addColumn('webhook_id', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'delivered', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', big, (c) => c.notNull())
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('delivered_at', big)
    .execute();
  await db.schema.createIndex('webhook_outbox_due').on('webhook_outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_outbox_task').on('webhook_outbox').columns(['task_id']).execute();

  await db.schema
    .createTable('webhook_secrets')
    .addColumn('owner_id', big, (c) => c.primaryKey().references('users.id'))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
}

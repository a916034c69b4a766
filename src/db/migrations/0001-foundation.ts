import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/** Accounts, projects, tasks and imports. */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const big = d.bigint;

  await d
    .addIdColumn(db.schema.createTable('users'), 'id')
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'requester', 'reviewer', 'worker')`))
    .addColumn('display_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('languages', 'text', (c) => c.notNull().defaultTo('["en"]'))
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', big, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('expires_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await d
    .addIdColumn(db.schema.createTable('api_keys'), 'id')
    .addColumn('user_id', big, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('is_test', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('expires_at', big)
    .addColumn('revoked_at', big)
    .addColumn('last_used_at', big)
    .execute();

  await db.schema
    .createTable('rate_windows')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('window_start', big, (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_windows_pk', ['key', 'window_start'])
    .execute();

  await d
    .addIdColumn(db.schema.createTable('projects'), 'id')
    .addColumn('owner_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('instructions', 'text', (c) => c.notNull())
    .addColumn('overlap_min', 'integer', (c) => c.notNull())
    .addColumn('overlap_max', 'integer', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('gold_rate', 'double precision', (c) => c.notNull())
    .addColumn('review_policy', 'text', (c) => c.notNull())
    .addColumn('pay', 'text', (c) => c.notNull())
    .addColumn('lease_seconds', 'integer', (c) => c.notNull())
    .addColumn('idle_grace_seconds', 'integer', (c) => c.notNull())
    .addColumn('per_worker_cap', 'integer')
    .addColumn('languages', 'text', (c) => c.notNull())
    .addColumn('content_warnings', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'active', 'paused', 'archived')`))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('projects_owner').on('projects').columns(['owner_id', 'id']).execute();

  await d
    .addIdColumn(db.schema.createTable('tasks'), 'id')
    .addColumn('owner_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('project_id', big, (c) => c.notNull().references('projects.id'))
    .addColumn('batch', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sub_status', 'text')
    .addColumn('is_test', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_gold', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('attachments', 'text', (c) => c.notNull())
    .addColumn('instruction', 'text')
    .addColumn('callback_url', 'text')
    .addColumn('unique_id', 'text')
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('responses_required', 'integer', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('expected_response', 'text')
    .addColumn('gold_explanation', 'text')
    .addColumn('response', 'text')
    .addColumn('answers_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .addColumn('completed_at', big)
    .addColumn('import_id', big)
    .execute();
  // unique_id is unique per account; rows without one are keyed by a content hash (see dedupe_key).
  await db.schema.createIndex('tasks_owner_dedupe').unique().on('tasks').columns(['owner_id', 'dedupe_key']).execute();
  await db.schema.createIndex('tasks_project_id').on('tasks').columns(['project_id', 'id']).execute();
  await db.schema.createIndex('tasks_owner_id').on('tasks').columns(['owner_id', 'id']).execute();

  // Task counts per project and status, kept in the transaction that changes them: totals stay O(1) at a million tasks.
  await db.schema
    .createTable('project_task_counts')
    .addColumn('project_id', big, (c) => c.notNull().references('projects.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('n', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('project_task_counts_pk', ['project_id', 'status'])
    .execute();

  await db.schema
    .createTable('task_tags')
    .addColumn('task_id', big, (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_tags_pk', ['task_id', 'tag'])
    .execute();
  await db.schema.createIndex('task_tags_tag').on('task_tags').columns(['tag', 'task_id']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('owner_id', big, (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['owner_id', 'key'])
    .execute();

  await d
    .addIdColumn(db.schema.createTable('imports'), 'id')
    .addColumn('owner_id', big, (c) => c.notNull())
    .addColumn('project_id', big, (c) => c.notNull().references('projects.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('rows_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('inserted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('existing', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', big, (c) => c.notNull())
    .addColumn('finished_at', big)
    .execute();
  await db.schema.createIndex('imports_project').on('imports').columns(['project_id', 'id']).execute();
}

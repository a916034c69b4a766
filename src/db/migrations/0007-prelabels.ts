import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/** Model pre-labels on tasks, and the project's pre-label settings (show them; a model endpoint). */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  await db.schema.alterTable('tasks').addColumn('predictions', 'text').execute();
  await db.schema.alterTable('tasks').addColumn('prelabel_status', 'text').execute();
  await db.schema.alterTable('tasks').addColumn('prelabel_attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('tasks').addColumn('prelabel_next_at', d.bigint).execute();
  await db.schema.createIndex('tasks_prelabel_due').on('tasks').columns(['prelabel_status', 'prelabel_next_at']).execute();
  await db.schema.alterTable('projects').addColumn('prelabels', 'text', (c) => c.notNull().defaultTo('{}')).execute();
}

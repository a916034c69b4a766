import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialect.ts';

/** Dataset exports: one row per requested export, its filters, progress and the files it wrote. */
export async function up(db: Kysely<unknown>, d: DialectAdapter): Promise<void> {
  const big = d.bigint;
  await d
    .addIdColumn(db.schema.createTable('exports'), 'id')
    .addColumn('owner_id', big, (c) => c.notNull().references('users.id'))
    .addColumn('project_id', big, (c) => c.notNull().references('projects.id'))
    .addColumn('format', 'text', (c) => c.notNull())
    // JSON {batch, status, completed_since, min_confidence, only_reviewed}, as requested.
    .addColumn('filters', 'text', (c) => c.notNull().defaultTo('{}'))
    // JSON format options ({include_ties, split}).
    .addColumn('options', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'running', 'done', 'failed')`))
    .addColumn('rows', big, (c) => c.notNull().defaultTo(0))
    // Tasks read but left out: by the result filters, or reported as problems.
    .addColumn('skipped', big, (c) => c.notNull().defaultTo(0))
    .addColumn('bytes', big, (c) => c.notNull().defaultTo(0))
    // SHA-256 (hex) of the main data file; every file's own digest is in `files`.
    .addColumn('sha256', 'text')
    // JSON [{name, bytes, sha256}]; names are relative to ${DATA_DIR}/exports/<id>/.
    .addColumn('files', 'text', (c) => c.notNull().defaultTo('[]'))
    // JSON {counts: {code: n}, first: [{task_id, code, message}]}: tasks a format could not express.
    .addColumn('problems', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('error', 'text')
    // Share of matching tasks read so far, 0 to 1.
    .addColumn('progress', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('started_at', big)
    .addColumn('finished_at', big)
    // Moves with every progress update: a running export that stops moving lost its process.
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('exports_owner').on('exports').columns(['owner_id', 'id']).execute();
}

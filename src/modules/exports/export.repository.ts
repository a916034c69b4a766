import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DB, ExportsTable, TasksTable } from '../../db/index.ts';

export type { ExportsTable };

export type ExportRow = Selectable<ExportsTable>;
type Executor = Kysely<DB> | Transaction<DB>;

// Transactions and the root instance query alike.
const withExports = (db: Executor) => db as Kysely<DB>;

/** Inserts a queued export and returns its id. */
export async function insertExport(db: Executor, row: { owner_id: number; project_id: number; format: string; filters: string; options: string; now: number }): Promise<number> {
  const inserted = await withExports(db)
    .insertInto('exports')
    .values({ owner_id: row.owner_id, project_id: row.project_id, format: row.format, filters: row.filters, options: row.options, status: 'queued', created_at: row.now, updated_at: row.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(inserted.id);
}

/** An export by id, or undefined. */
export async function findExport(db: Executor, id: number): Promise<ExportRow | undefined> {
  return withExports(db).selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The newest exports of an owner (all owners when undefined), optionally of one project. */
export async function listExportRows(db: Executor, ownerId: number | undefined, projectId: number | undefined, limit: number): Promise<ExportRow[]> {
  let q = withExports(db).selectFrom('exports').selectAll().orderBy('id', 'desc').limit(limit);
  if (ownerId !== undefined) q = q.where('owner_id', '=', ownerId);
  if (projectId !== undefined) q = q.where('project_id', '=', projectId);
  return q.execute();
}

export type ExportUpdate = Partial<Omit<ExportRow, 'id' | 'owner_id' | 'project_id' | 'format' | 'filters' | 'options' | 'created_at'>>;

/** Updates an export; with `onlyIf`, only while it still has one of those statuses. Returns whether a row changed. */
export async function updateExport(db: Executor, id: number, set: ExportUpdate, onlyIf?: ExportRow['status'][]): Promise<boolean> {
  let q = withExports(db).updateTable('exports').set(set).where('id', '=', id);
  if (onlyIf) q = q.where('status', 'in', onlyIf);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Which tasks an export reads: the SQL part of its filters (result filters are applied on the rows). */
export interface ExportTaskFilter {
  projectId: number;
  status?: TasksTable['status'];
  batch?: string;
  completedSince?: number;
}

function taskFilter(db: Executor, f: ExportTaskFilter) {
  let q = db.selectFrom('tasks').where('project_id', '=', f.projectId);
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.batch !== undefined) q = q.where('batch', '=', f.batch);
  if (f.completedSince !== undefined) q = q.where('completed_at', '>=', f.completedSince);
  return q;
}

/** How many tasks match the SQL filter (the denominator of progress). */
export async function countExportTasks(db: Executor, f: ExportTaskFilter): Promise<number> {
  const row = await taskFilter(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * One keyset page of matching tasks after `afterId`, in id order. Walks the (project_id, id) index,
 * so every page costs the same at any depth and the export needs no snapshot or offset.
 */
export async function listExportTaskPage(db: Executor, f: ExportTaskFilter, afterId: number, limit: number): Promise<Selectable<TasksTable>[]> {
  return taskFilter(db, f).selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

/** One keyset page of (id, metadata) of matching tasks: the CSV header's metadata columns come from these. */
export async function listExportMetadataPage(db: Executor, f: ExportTaskFilter, afterId: number, limit: number): Promise<{ id: number; metadata: string }[]> {
  return taskFilter(db, f).select(['id', 'metadata']).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

/** A submitted answer that still counts (not sent back or rejected in review). */
export interface LiveAnswerRow {
  id: number;
  task_id: number;
  worker_id: number;
  response: string | null;
  claimed_at: number;
  ended_at: number | null;
  active_ms: number;
}

/** The answers that count for these tasks, in assignment order. */
export async function listLiveAnswers(db: Executor, taskIds: readonly number[]): Promise<LiveAnswerRow[]> {
  if (taskIds.length === 0) return [];
  const out: LiveAnswerRow[] = [];
  // Chunks keep the IN list under SQLite's bound-parameter limit whatever the page size.
  for (let i = 0; i < taskIds.length; i += 500) {
    const rows = await db
      .selectFrom('assignments')
      .select(['id', 'task_id', 'worker_id', 'response', 'claimed_at', 'ended_at', 'active_ms'])
      .where('task_id', 'in', taskIds.slice(i, i + 500))
      .where('status', '=', 'submitted')
      .where((eb) => eb.or([eb('review_status', 'is', null), eb('review_status', '=', 'accepted')]))
      .orderBy('id')
      .execute();
    out.push(...rows);
  }
  return out;
}

/** The project of an owner's batch (from any of its tasks), or undefined when the owner has no such batch. */
export async function findBatchProjectId(db: Executor, ownerId: number, batch: string): Promise<number | undefined> {
  const row = await db.selectFrom('tasks').select('project_id').where('owner_id', '=', ownerId).where('batch', '=', batch).limit(1).executeTakeFirst();
  return row?.project_id;
}

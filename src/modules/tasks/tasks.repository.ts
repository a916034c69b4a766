import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { BulkColumn, DB, DialectAdapter, TasksTable } from '../../db/index.ts';
import type { TaskDraft } from './task-input.ts';

export type TaskRow = Selectable<TasksTable> & { project_name: string };

const INSERT_COLUMNS: readonly BulkColumn[] = [
  { name: 'owner_id', pgType: 'bigint' },
  { name: 'project_id', pgType: 'bigint' },
  { name: 'batch', pgType: 'text' },
  { name: 'type', pgType: 'text' },
  { name: 'status', pgType: 'text' },
  { name: 'sub_status', pgType: 'text' },
  { name: 'is_test', pgType: 'integer' },
  { name: 'is_gold', pgType: 'integer' },
  { name: 'params', pgType: 'text' },
  { name: 'attachments', pgType: 'text' },
  { name: 'instruction', pgType: 'text' },
  { name: 'callback_url', pgType: 'text' },
  { name: 'unique_id', pgType: 'text' },
  { name: 'dedupe_key', pgType: 'text' },
  { name: 'priority', pgType: 'integer' },
  { name: 'responses_required', pgType: 'integer' },
  { name: 'metadata', pgType: 'text' },
  { name: 'tags', pgType: 'text' },
  { name: 'expected_response', pgType: 'text' },
  { name: 'gold_explanation', pgType: 'text' },
  { name: 'created_at', pgType: 'bigint' },
  { name: 'updated_at', pgType: 'bigint' },
  { name: 'import_id', pgType: 'bigint' },
  { name: 'held', pgType: 'integer' },
  { name: 'predictions', pgType: 'text' },
  { name: 'prelabel_status', pgType: 'text' },
  { name: 'prelabel_next_at', pgType: 'bigint' },
];

export interface InsertContext {
  ownerId: number;
  projectId: number;
  type: string;
  isTest: boolean;
  importId: number | null;
  now: number;
}

/**
 * Inserts drafts in one statement, skipping those whose (owner, dedupe_key) exists.
 * Returns the new ids by dedupe_key; tags go into task_tags for the new tasks. Needs a transaction.
 */
export async function insertTaskDrafts(trx: Transaction<DB>, dialect: DialectAdapter, ctx: InsertContext, drafts: readonly TaskDraft[]): Promise<Map<string, number>> {
  const rows = drafts.map((d) => [
    ctx.ownerId,
    ctx.projectId,
    d.batch,
    ctx.type,
    'pending',
    'queued',
    ctx.isTest ? 1 : 0,
    d.isGold ? 1 : 0,
    d.params,
    d.attachments,
    d.instruction,
    d.callbackUrl,
    d.uniqueId,
    d.dedupeKey,
    d.priority,
    d.responsesRequired,
    d.metadata,
    JSON.stringify(d.tags),
    d.expectedResponse,
    d.goldExplanation,
    ctx.now,
    ctx.now,
    ctx.importId,
    d.held ? 1 : 0,
    d.predictions,
    d.prelabelPending ? 'pending' : null,
    d.prelabelPending ? ctx.now : null,
  ]);
  const inserted = await dialect.insertManyIgnoringConflicts(trx, 'tasks', INSERT_COLUMNS, rows, ['owner_id', 'dedupe_key'], ['id', 'dedupe_key']);
  const ids = new Map<string, number>();
  for (const row of inserted) ids.set(row.dedupe_key as string, Number(row.id));
  const tagRows: unknown[][] = [];
  for (const d of drafts) {
    const id = ids.get(d.dedupeKey);
    if (id !== undefined) for (const tag of new Set(d.tags)) tagRows.push([id, tag]);
  }
  if (tagRows.length) {
    await dialect.insertManyIgnoringConflicts(trx, 'task_tags', [{ name: 'task_id', pgType: 'bigint' }, { name: 'tag', pgType: 'text' }], tagRows, ['task_id', 'tag'], ['task_id']);
  }
  return ids;
}

/** Existing tasks of an owner by dedupe key: their id and the import that created them. */
export async function findByDedupeKeys(db: Kysely<DB> | Transaction<DB>, ownerId: number, keys: string[]): Promise<Map<string, { id: number; importId: number | null }>> {
  const out = new Map<string, { id: number; importId: number | null }>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db
      .selectFrom('tasks')
      .select(['id', 'dedupe_key', 'import_id'])
      .where('owner_id', '=', ownerId)
      .where('dedupe_key', 'in', keys.slice(i, i + 500))
      .execute();
    for (const row of rows) out.set(row.dedupe_key, { id: row.id, importId: row.import_id });
  }
  return out;
}

function taskQuery(db: Kysely<DB> | Transaction<DB>) {
  return db.selectFrom('tasks').innerJoin('projects', 'projects.id', 'tasks.project_id').selectAll('tasks').select('projects.name as project_name');
}

/** A task with its project name, or undefined. */
export async function findTaskRow(db: Kysely<DB> | Transaction<DB>, id: number): Promise<TaskRow | undefined> {
  return taskQuery(db).where('tasks.id', '=', id).executeTakeFirst();
}

export interface TaskFilter {
  ownerId?: number;
  projectId?: number;
  batch?: string;
  status?: string;
  type?: string;
  uniqueId?: string;
  tags?: string[];
  createdAfter?: number;
  createdBefore?: number;
  completedAfter?: number;
  completedBefore?: number;
  /** Only test tasks (a test key's view). */
  testOnly?: boolean;
}

function applyFilter<Q extends ReturnType<typeof taskQuery>>(query: Q, f: TaskFilter): Q {
  let q = query;
  if (f.ownerId !== undefined) q = q.where('tasks.owner_id', '=', f.ownerId) as Q;
  if (f.projectId !== undefined) q = q.where('tasks.project_id', '=', f.projectId) as Q;
  if (f.batch !== undefined) q = q.where('tasks.batch', '=', f.batch) as Q;
  if (f.status !== undefined) q = q.where('tasks.status', '=', f.status as TasksTable['status']) as Q;
  if (f.type !== undefined) q = q.where('tasks.type', '=', f.type) as Q;
  if (f.uniqueId !== undefined) q = q.where('tasks.unique_id', '=', f.uniqueId) as Q;
  if (f.createdAfter !== undefined) q = q.where('tasks.created_at', '>=', f.createdAfter) as Q;
  if (f.createdBefore !== undefined) q = q.where('tasks.created_at', '<', f.createdBefore) as Q;
  if (f.completedAfter !== undefined) q = q.where('tasks.completed_at', '>=', f.completedAfter) as Q;
  if (f.completedBefore !== undefined) q = q.where('tasks.completed_at', '<', f.completedBefore) as Q;
  if (f.testOnly) q = q.where('tasks.is_test', '=', 1) as Q;
  for (const tag of f.tags ?? []) {
    q = q.where(({ exists, selectFrom }) =>
      exists(selectFrom('task_tags').select('task_tags.task_id').whereRef('task_tags.task_id', '=', 'tasks.id').where('task_tags.tag', '=', tag)),
    ) as Q;
  }
  return q;
}

/** One page of tasks after `afterId`, oldest first. */
export async function listTaskRows(db: Kysely<DB>, filter: TaskFilter, afterId: number, limit: number): Promise<TaskRow[]> {
  return applyFilter(taskQuery(db), filter).where('tasks.id', '>', afterId).orderBy('tasks.id').limit(limit).execute();
}

/** How many tasks match. */
export async function countTaskRows(db: Kysely<DB>, filter: TaskFilter): Promise<number> {
  const row = await applyFilter(taskQuery(db), filter)
    .clearSelect()
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Locks a task row for the rest of the transaction (a no-op lock on SQLite, where writers are serialised). */
export async function lockTaskRow(trx: Transaction<DB>, dialect: DialectAdapter, id: number): Promise<Selectable<TasksTable> | undefined> {
  const result = await sql<Selectable<TasksTable>>`select * from tasks where id = ${id} ${sql.raw(dialect.forUpdate)}`.execute(trx);
  return result.rows[0];
}

export async function setTaskStatus(trx: Transaction<DB>, id: number, status: TasksTable['status'], subStatus: TasksTable['sub_status'], now: number): Promise<void> {
  await trx.updateTable('tasks').set({ status, sub_status: subStatus, updated_at: now }).where('id', '=', id).execute();
}

/** A stored Idempotency-Key response, or undefined. */
export async function findIdempotentResponse(db: Kysely<DB> | Transaction<DB>, ownerId: number, key: string, since: number) {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('key', '=', key)
    .where('created_at', '>=', since)
    .executeTakeFirst();
}

/** Stores an Idempotency-Key response; false when another request stored one first. */
export async function saveIdempotentResponse(trx: Transaction<DB>, row: { owner_id: number; key: string; request_hash: string; status_code: number; body: string; created_at: number }): Promise<boolean> {
  await trx.deleteFrom('idempotency_keys').where('owner_id', '=', row.owner_id).where('key', '=', row.key).where('created_at', '<', row.created_at - 24 * 3600 * 1000).execute();
  const result = await trx.insertInto('idempotency_keys').values(row).onConflict((oc) => oc.columns(['owner_id', 'key']).doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Completes a test key's task with a synthetic answer (it never reaches workers). */
export async function completeSynthetic(trx: Transaction<DB>, id: number, answer: Record<string, unknown>, now: number): Promise<Selectable<TasksTable>> {
  const result = { answer, confidence: 1, method: 'synthetic', n_answers: 0, agreement: null, decided_by: { kind: 'aggregation' } };
  return trx
    .updateTable('tasks')
    .set({ status: 'completed', sub_status: null, completed_at: now, updated_at: now, response: JSON.stringify({ ...answer, confidence: 1 }), result: JSON.stringify(result) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

import type { Kysely, Selectable, Transaction } from 'kysely';
import { type BatchesTable, bulkTransaction, type Database, type DB } from '../../db/index.ts';
import { AppError } from '../../server/errors.ts';
import type { Principal } from '../accounts/index.ts';
import { bumpTaskCount, findProjectById, getProjectFor } from '../projects/index.ts';
import { callbackUrlProblem } from './task-input.ts';

export type Batch = Selectable<BatchesTable>;

export function presentBatch(batch: Batch, projectName: string) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    name: batch.name,
    project: projectName,
    status: batch.status,
    callback_url: batch.callback_url,
    created_at: iso(batch.created_at),
    finalized_at: iso(batch.finalized_at),
    completed_at: iso(batch.completed_at),
  };
}

/** The caller's batch by name; batch_not_found for anyone else's. */
export async function getBatchFor(db: Kysely<DB> | Transaction<DB>, principal: Principal, name: string): Promise<Batch> {
  const batch = await db.selectFrom('batches').selectAll().where('owner_id', '=', principal.id).where('name', '=', name).executeTakeFirst();
  if (!batch) throw new AppError('batch_not_found', `No batch named "${name}"`);
  return batch;
}

/** Creates a batch in staging: its tasks wait until it is finalized. */
export async function createBatch(db: Kysely<DB>, principal: Principal, input: { project: string; name: string; callback_url?: string }, selfPort: number, now: number) {
  const project = await getProjectFor(db, principal, input.project);
  if (input.callback_url) {
    const problem = callbackUrlProblem(input.callback_url, selfPort);
    if (problem) throw new AppError('invalid_callback_url', problem);
  }
  const row = await db
    .insertInto('batches')
    .values({ owner_id: principal.id, project_id: project.id, name: input.name, status: 'staging', callback_url: input.callback_url ?? null, created_at: now })
    .onConflict((oc) => oc.columns(['owner_id', 'name']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new AppError('batch_exists', `A batch named "${input.name}" already exists`);
  return presentBatch(row, project.name);
}

export async function listBatches(db: Kysely<DB>, principal: Principal, filter: { project?: string; status?: string }) {
  let query = db.selectFrom('batches').innerJoin('projects', 'projects.id', 'batches.project_id').selectAll('batches').select('projects.name as project_name').where('batches.owner_id', '=', principal.id).orderBy('batches.id');
  if (filter.project) query = query.where('projects.name', '=', filter.project);
  if (filter.status) query = query.where('batches.status', '=', filter.status as Batch['status']);
  return (await query.execute()).map((b) => presentBatch(b, b.project_name));
}

/** Task counts of a batch by status. */
export async function batchStatus(db: Kysely<DB>, principal: Principal, name: string) {
  const batch = await getBatchFor(db, principal, name);
  const rows = await db
    .selectFrom('tasks')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('owner_id', '=', principal.id)
    .where('batch', '=', name)
    .groupBy('status')
    .execute();
  const counts: Record<string, number> = { pending: 0, completed: 0, canceled: 0, error: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  const project = await findProjectById(db, batch.project_id);
  return { ...presentBatch(batch, project?.name ?? ''), counts };
}

const TRANSITIONS = {
  finalize: { from: ['staging'], to: 'in_progress', held: 0 },
  pause: { from: ['in_progress'], to: 'paused', held: 1 },
  resume: { from: ['paused'], to: 'in_progress', held: 0 },
  cancel: { from: ['staging', 'in_progress', 'paused'], to: 'canceled', held: 1 },
} as const;

export type BatchAction = keyof typeof TRANSITIONS;

/**
 * Moves a batch: finalize (staging -> in progress: its tasks go to workers), pause, resume, cancel
 * (tasks nobody started are canceled; started ones are held back). Anything else is batch_state.
 */
export async function changeBatch(database: Database, principal: Principal, name: string, action: BatchAction, now: number) {
  const { db } = database;
  const step = TRANSITIONS[action];
  // Changes every task of the batch, however many: a bulk transaction.
  await bulkTransaction(db).execute(async (trx) => {
    const batch = await getBatchFor(trx, principal, name);
    if (!(step.from as readonly string[]).includes(batch.status)) throw new AppError('batch_state', `Cannot ${action} a batch that is ${batch.status}`, { status: batch.status });
    await trx
      .updateTable('batches')
      .set({ status: step.to, ...(action === 'finalize' && { finalized_at: now }) })
      .where('id', '=', batch.id)
      .execute();
    const tasks = trx.updateTable('tasks').where('owner_id', '=', principal.id).where('batch', '=', name).where('status', '=', 'pending');
    if (action === 'cancel') {
      const canceled = await trx
        .updateTable('tasks')
        .set({ status: 'canceled', sub_status: null, updated_at: now })
        .where('owner_id', '=', principal.id)
        .where('batch', '=', name)
        .where('status', '=', 'pending')
        .where('answers_count', '=', 0)
        .where('active_count', '=', 0)
        .executeTakeFirst();
      const n = Number(canceled.numUpdatedRows);
      await bumpTaskCount(trx, batch.project_id, 'pending', -n);
      await bumpTaskCount(trx, batch.project_id, 'canceled', n);
    }
    await tasks.set({ held: step.held, updated_at: now }).execute();
  });
  return batchStatus(db, principal, name);
}

/**
 * Whether tasks may be added under this batch name: a batch object must be staging (its tasks are
 * held until finalized) and belong to the same project; a name with no batch object is a plain label.
 */
export async function batchGate(db: Kysely<DB>, ownerId: number, projectId: number, name: string): Promise<{ held: boolean } | { code: string; message: string }> {
  const batch = await db.selectFrom('batches').selectAll().where('owner_id', '=', ownerId).where('name', '=', name).executeTakeFirst();
  if (!batch) return { held: false };
  if (batch.project_id !== projectId) return { code: 'batch_project_mismatch', message: `batch "${name}" belongs to another project` };
  if (batch.status !== 'staging') return { code: 'batch_not_staging', message: `batch "${name}" is ${batch.status}; tasks can be added only while it is staging` };
  return { held: true };
}

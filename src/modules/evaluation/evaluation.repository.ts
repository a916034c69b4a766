import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/index.ts';

export type Executor = Kysely<DB> | Transaction<DB>;

/** A task as the evaluation reports read it: JSON still as text, parsed by the caller. */
export interface EvalTaskRow {
  id: number;
  status: string;
  params: string;
  result: string | null;
  completedAt: number | null;
}

/** An answer that counts, as stored. */
export interface EvalAnswerRow {
  id: number;
  taskId: number;
  response: string;
  endedAt: number | null;
}

/**
 * A project's tasks in pages of `pageSize`, by id (keyset paging on the (project_id, id) index), so
 * memory stays bounded on large projects. Test tasks and canceled tasks are left out; with
 * `completedOnly`, so is every task that is not completed.
 */
export async function* projectTaskPages(db: Executor, projectId: number, opts: { completedOnly?: boolean; pageSize?: number } = {}): AsyncGenerator<EvalTaskRow[]> {
  const pageSize = opts.pageSize ?? 2_000;
  let after = 0;
  for (;;) {
    let query = db
      .selectFrom('tasks')
      .select(['id', 'status', 'params', 'result', 'completed_at'])
      .where('project_id', '=', projectId)
      .where('id', '>', after)
      .where('is_test', '=', 0)
      .where('status', '!=', 'canceled');
    if (opts.completedOnly) query = query.where('status', '=', 'completed');
    const rows = await query.orderBy('id').limit(pageSize).execute();
    if (rows.length === 0) return;
    yield rows.map((r) => ({ id: Number(r.id), status: r.status, params: r.params, result: r.result, completedAt: r.completed_at === null ? null : Number(r.completed_at) }));
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1].id);
  }
}

/**
 * The answers that count for these tasks: submitted, and not sent back or rejected in review (the
 * same rule as the quality module's live answers). Ordered by submit time, then id.
 */
export async function countingAnswers(db: Executor, taskIds: readonly number[]): Promise<EvalAnswerRow[]> {
  if (taskIds.length === 0) return [];
  const rows = await db
    .selectFrom('assignments')
    .select(['id', 'task_id', 'response', 'ended_at'])
    .where('task_id', 'in', taskIds)
    .where('status', '=', 'submitted')
    .where((eb) => eb.or([eb('review_status', 'is', null), eb('review_status', '=', 'accepted')]))
    .orderBy('ended_at')
    .orderBy('id')
    .execute();
  return rows.filter((r) => r.response !== null).map((r) => ({ id: Number(r.id), taskId: Number(r.task_id), response: r.response as string, endedAt: r.ended_at === null ? null : Number(r.ended_at) }));
}

import type { Kysely, Selectable, Transaction } from 'kysely';
import { type DB, prepared, type TasksTable, type WorkerQualityTable } from '../../db/index.ts';
import type { TaskResult } from './task-result.ts';

export type Executor = Kysely<DB> | Transaction<DB>;

/** Adds one scored gold answer to a worker's evidence in a project. */
export async function addGoldEvidence(trx: Executor, projectId: number, workerId: number, score: number, now: number): Promise<void> {
  await trx
    .insertInto('worker_quality')
    .values({ project_id: projectId, worker_id: workerId, gold_n: 1, gold_correct: score, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['project_id', 'worker_id']).doUpdateSet((eb) => ({
        gold_n: eb('worker_quality.gold_n', '+', 1),
        gold_correct: eb('worker_quality.gold_correct', '+', score),
        updated_at: now,
      })),
    )
    .execute();
}

// Every answer that may complete a task reads them.
const answersThatCount = prepared((db: Kysely<DB>, taskId: number) =>
  db
    .selectFrom('assignments')
    .select(['id', 'worker_id', 'response'])
    .where('task_id', '=', taskId)
    .where('status', '=', 'submitted')
    .where((eb) => eb.or([eb('review_status', 'is', null), eb('review_status', '=', 'accepted')]))
    .orderBy('id'),
);

/** The answers that count for a task: submitted and not sent back or rejected in review. */
export async function liveAnswers(db: Executor, taskId: number): Promise<{ assignmentId: number; workerId: number; response: Record<string, unknown> }[]> {
  const { rows } = await answersThatCount(db, taskId);
  return rows.map((r) => ({ assignmentId: r.id, workerId: r.worker_id, response: JSON.parse(r.response as string) }));
}

export async function workerQualityRows(db: Executor, projectId: number, workerIds?: number[]): Promise<Selectable<WorkerQualityTable>[]> {
  let q = db.selectFrom('worker_quality').selectAll().where('project_id', '=', projectId);
  if (workerIds) {
    if (workerIds.length === 0) return [];
    q = q.where('worker_id', 'in', workerIds);
  }
  return q.execute();
}

export interface DecidedBy {
  kind: 'aggregation' | 'reviewer' | 'rule';
  user_id?: number;
  /** For kind 'rule': which one (review_deadline: nobody reviewed the task in time). */
  rule?: string;
}

/** Stores a task's result (and its response: the answer with its confidence). Returns the task as it now stands. */
export async function saveResult(trx: Executor, taskId: number, result: TaskResult, decidedBy: DecidedBy, now: number, extra: Partial<Pick<Selectable<TasksTable>, 'status' | 'sub_status' | 'completed_at' | 'responses_required'>> = {}): Promise<Selectable<TasksTable>> {
  const { posterior: _posterior, ...stored } = result;
  const response = result.answer === null ? null : JSON.stringify({ ...result.answer, confidence: result.confidence });
  return trx
    .updateTable('tasks')
    .set({ result: JSON.stringify({ ...stored, decided_by: decidedBy }), response, updated_at: now, ...extra })
    .where('id', '=', taskId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

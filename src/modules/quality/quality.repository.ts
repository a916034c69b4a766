import type { Kysely, Selectable, Transaction } from 'kysely';
import { type DB, prepared, type TasksTable, type WorkerQualityTable, writeBehind } from '../../db/index.ts';
import { pieceBookedColumn } from '../ledger/index.ts';
import type { CountingAnswer } from '../tasks/index.ts';
import type { TaskResult } from './task-result.ts';

export type Executor = Kysely<DB> | Transaction<DB>;

/** Adds one scored gold answer to a worker's evidence in a project. */
export const addGoldEvidence = writeBehind((db: Kysely<DB>, projectId: number, workerId: number, score: number, now: number) =>
  db
    .insertInto('worker_quality')
    .values({ project_id: projectId, worker_id: workerId, gold_n: 1, gold_correct: score, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['project_id', 'worker_id']).doUpdateSet((eb) => ({
        gold_n: eb('worker_quality.gold_n', '+', 1),
        gold_correct: eb('worker_quality.gold_correct', '+', eb.ref('excluded.gold_correct')),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    ),
);

export type WorkerEvidence = Pick<Selectable<WorkerQualityTable>, 'gold_n' | 'gold_correct' | 'fitted_accuracy'>;

// Every answer that may complete a task reads them, each with its worker's evidence in the project
// (none yet: nulls) and what the ledger pays it by when the task completes, in one read.
const answersThatCount = prepared((db: Kysely<DB>, taskId: number, projectId: number) =>
  db
    .selectFrom('assignments as a')
    .leftJoin('worker_quality as q', (join) => join.onRef('q.worker_id', '=', 'a.worker_id').on('q.project_id', '=', projectId))
    .select(['a.id', 'a.worker_id', 'a.response', 'a.project_id', 'a.task_id', 'a.claimed_at', 'a.shown', 'q.gold_n', 'q.gold_correct', 'q.fitted_accuracy', pieceBookedColumn()])
    .where('a.task_id', '=', taskId)
    .where('a.status', '=', 'submitted')
    .where((eb) => eb.or([eb('a.review_status', 'is', null), eb('a.review_status', '=', 'accepted')]))
    .orderBy('a.id'),
);

/**
 * The answers that count for a task (submitted and not sent back or rejected in review), each with
 * its worker's gold evidence in the task's project (undefined: none yet).
 */
export async function liveAnswers(
  db: Executor,
  task: { id: number; project_id: number },
): Promise<{ assignmentId: number; workerId: number; response: Record<string, unknown>; evidence: WorkerEvidence | undefined; counting: CountingAnswer }[]> {
  const { rows } = await answersThatCount(db, task.id, task.project_id);
  return rows.map((r) => ({
    assignmentId: r.id,
    workerId: r.worker_id,
    response: JSON.parse(r.response as string),
    evidence: r.gold_n === null ? undefined : { gold_n: r.gold_n, gold_correct: r.gold_correct as number, fitted_accuracy: r.fitted_accuracy },
    counting: { id: r.id, worker_id: r.worker_id, project_id: r.project_id, task_id: r.task_id, claimed_at: r.claimed_at, shown: r.shown, piece_booked: Boolean(Number(r.piece_booked)) },
  }));
}

export interface DecidedBy {
  kind: 'aggregation' | 'reviewer' | 'rule';
  user_id?: number;
  /** For kind 'rule': which one (review_deadline: nobody reviewed the task in time). */
  rule?: string;
}

type ResultExtra = Partial<Pick<Selectable<TasksTable>, 'status' | 'sub_status' | 'completed_at' | 'responses_required'>>;
type ResultChanges = Pick<Selectable<TasksTable>, 'result' | 'response' | 'updated_at'> & ResultExtra;

const saveResultWith = () => prepared((db: Kysely<DB>, taskId: number, changes: ResultChanges) => db.updateTable('tasks').set(changes).where('id', '=', taskId).returningAll());
const saveResultBehindWith = () => writeBehind((db: Kysely<DB>, taskId: number, changes: ResultChanges) => db.updateTable('tasks').set(changes).where('id', '=', taskId));
// One compiled statement per set of columns: callers pass one of a few.
const resultSaves = new Map<string, ReturnType<typeof saveResultWith>>();
const resultSavesBehind = new Map<string, ReturnType<typeof saveResultBehindWith>>();

/** The statement of `statements` for this set of columns, made on first use. */
function forColumns<T>(statements: Map<string, T>, make: () => T, changes: ResultChanges): T {
  const columns = Object.keys(changes).join();
  let statement = statements.get(columns);
  if (!statement) statements.set(columns, (statement = make()));
  return statement;
}

function resultChanges(result: TaskResult, decidedBy: DecidedBy, now: number, extra: ResultExtra): ResultChanges {
  const { posterior: _posterior, ...stored } = result;
  const response = result.answer === null ? null : JSON.stringify({ ...result.answer, confidence: result.confidence });
  return { result: JSON.stringify({ ...stored, decided_by: decidedBy }), response, updated_at: now, ...extra };
}

/** Stores a task's result (and its response: the answer with its confidence). Returns the task as it now stands. */
export async function saveResult(trx: Executor, taskId: number, result: TaskResult, decidedBy: DecidedBy, now: number, extra: ResultExtra = {}): Promise<Selectable<TasksTable>> {
  const changes = resultChanges(result, decidedBy, now, extra);
  const [task] = (await forColumns(resultSaves, saveResultWith, changes)(trx, taskId, changes)).rows;
  if (!task) throw new Error(`No task ${taskId} to store a result on`);
  return task;
}

/**
 * saveResult for a caller that holds the task's lock and its current row: the update is a writeBehind
 * and the row comes back as the update leaves it, merged here instead of read back.
 */
export async function saveResultOver(trx: Executor, task: Selectable<TasksTable>, result: TaskResult, decidedBy: DecidedBy, now: number, extra: ResultExtra = {}): Promise<Selectable<TasksTable>> {
  const changes = resultChanges(result, decidedBy, now, extra);
  await forColumns(resultSavesBehind, saveResultBehindWith, changes)(trx, task.id, changes);
  return { ...task, ...changes };
}

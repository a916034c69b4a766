import { type Kysely, sql } from 'kysely';
import { type Database, type DB, transactWithRetry } from '../../db/index.ts';
import { AppError } from '../../server/errors.ts';
import { MIN_REASON_TEXT, REVIEW_REASON_CODES } from '../../shared/task-types.ts';
import type { Principal } from '../accounts/index.ts';
import { findProjectById, moveTaskCount, type Project } from '../projects/index.ts';
import { checkResponse } from '../task-types/index.ts';
import { taskCompletedIn } from '../tasks/index.ts';
// The ledger records a decision per answer and withholds or keeps pay (FAIRWORK.md rules 5, 6, 11).
import { recordAuditDecision, recordReviewDecision } from '../ledger/index.ts';
import { liveAnswers, saveResult } from './quality.repository.ts';
import { currentResult } from './quality.service.ts';

export interface ReviewInput {
  action: 'accept' | 'fix' | 'revise' | 'reject';
  response?: unknown;
  assignment_id?: string;
  reason_code?: string;
  text?: string;
  evidence?: Record<string, unknown>;
}

/** Reviewers and admins review any project; a requester reviews their own. */
function mayReview(principal: Principal, project: Project): boolean {
  return principal.role === 'admin' || principal.role === 'reviewer' || (principal.role === 'requester' && project.ownerId === principal.id);
}

async function reviewedByAnswerer(db: Kysely<DB>, taskId: number, userId: number): Promise<boolean> {
  return !!(await db.selectFrom('assignments').select('id').where('task_id', '=', taskId).where('worker_id', '=', userId).executeTakeFirst());
}

/** Tasks waiting for review in a project, oldest first, without those the reviewer worked on. */
export async function reviewQueue(database: Database, principal: Principal, project: Project, limit: number) {
  if (!mayReview(principal, project)) throw new AppError('project_not_found');
  const { db } = database;
  const rows = await db
    .selectFrom('tasks')
    .selectAll()
    .where('project_id', '=', project.id)
    .where('status', '=', 'pending')
    // A literal, so the partial index of tasks in review can serve it.
    .where('sub_status', '=', sql.lit('in_review'))
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('assignments').select('assignments.id').whereRef('assignments.task_id', '=', 'tasks.id').where('assignments.worker_id', '=', principal.id))))
    .orderBy('id')
    .limit(limit)
    .execute();
  const docs = [];
  for (const task of rows) {
    const answers = await liveAnswers(db, task);
    docs.push({
      task_id: String(task.id),
      type: task.type,
      params: { ...project.params, ...JSON.parse(task.params) },
      attachments: JSON.parse(task.attachments),
      result: task.result === null ? null : JSON.parse(task.result),
      // Workers appear by assignment, not by name: the answer is judged, not the person.
      answers: answers.map((a) => ({ assignment_id: String(a.assignmentId), response: a.response })),
    });
  }
  return { project: project.name, docs };
}

/**
 * A reviewer's decision on a task in review. accept: the aggregate stands; fix: the reviewer's
 * answer becomes the result; revise / reject: one answer stops counting and the task goes back for
 * another, which needs a published reason code and 20 characters of text, and (reject) evidence.
 * Every decision is recorded with who made it. Reviewers never review their own work.
 */
export async function decideReview(database: Database, principal: Principal, taskId: number, input: ReviewInput, now: number) {
  const { db } = database;
  const task = await db.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
  const project = task && (await findProjectById(db, task.project_id));
  if (!task || !project || !mayReview(principal, project)) throw new AppError('task_not_found', `No task ${taskId}`);
  if (await reviewedByAnswerer(db, task.id, principal.id)) throw new AppError('own_work');
  if (task.status !== 'pending' || task.sub_status !== 'in_review') throw new AppError('task_not_in_review');

  const judgesAnswer = input.action === 'revise' || input.action === 'reject';
  if (judgesAnswer) {
    if (!input.reason_code || !(REVIEW_REASON_CODES as readonly string[]).includes(input.reason_code) || (input.text ?? '').trim().length < MIN_REASON_TEXT) {
      throw new AppError('reason_required', undefined, { reason_codes: REVIEW_REASON_CODES, min_text: MIN_REASON_TEXT });
    }
    if (input.action === 'reject' && (!input.evidence || Object.keys(input.evidence).length === 0)) throw new AppError('evidence_required');
    if (!input.assignment_id) throw new AppError('validation_failed', 'assignment_id names the answer this decision is about');
  }
  let fixed: Record<string, unknown> | undefined;
  if (input.action === 'fix') {
    const params = { ...project.params, ...JSON.parse(task.params) };
    const problem = checkResponse(task.type, params, input.response);
    if (problem) throw new AppError('invalid_response', problem.message, { path: problem.path, schema_path: problem.schemaPath });
    fixed = input.response as Record<string, unknown>;
  }

  // Completing locks answerers' ledger accounts (ledgerTaskCompleted), hence transactWithRetry.
  await transactWithRetry(database, async (trx) => {
    const assignmentId = input.assignment_id ? Number(input.assignment_id) : null;
    if (judgesAnswer) {
      const target = await trx.selectFrom('assignments').select(['id', 'status', 'review_status']).where('id', '=', assignmentId as number).where('task_id', '=', task.id).executeTakeFirst();
      if (!target || target.status !== 'submitted' || (target.review_status !== null && target.review_status !== 'accepted')) throw new AppError('assignment_not_found', 'No counted answer with this assignment_id on this task');
      await trx.updateTable('assignments').set({ review_status: input.action === 'reject' ? 'rejected' : 'revise' }).where('id', '=', target.id).execute();
      // The answer stops counting: its slot opens again for another worker.
      await trx.updateTable('tasks').set((eb) => ({ answers_count: eb('answers_count', '-', 1), sub_status: 'redo', updated_at: now })).where('id', '=', task.id).execute();
    } else if (fixed) {
      const completed = await saveResult(trx, task.id, { answer: fixed, confidence: 1, method: 'review_fix', n_answers: task.answers_count, agreement: null }, { kind: 'reviewer', user_id: principal.id }, now, { status: 'completed', sub_status: null, completed_at: now });
      await taskCompletedIn(trx, completed, project, now);
    } else {
      const result = await currentResult(trx, task, project);
      const completed = await saveResult(trx, task.id, result, { kind: 'reviewer', user_id: principal.id }, now, { status: 'completed', sub_status: null, completed_at: now });
      await trx.updateTable('assignments').set({ review_status: 'accepted' }).where('task_id', '=', task.id).where('status', '=', 'submitted').where('review_status', 'is', null).execute();
      await taskCompletedIn(trx, completed, project, now);
    }
    await trx
      .insertInto('review_decisions')
      .values({
        task_id: task.id,
        assignment_id: assignmentId,
        reviewer_id: principal.id,
        action: input.action,
        reason_code: input.reason_code ?? null,
        text: input.text ?? null,
        evidence: input.evidence ? JSON.stringify(input.evidence) : null,
        created_at: now,
      })
      .execute();
    await recordReviewDecision(trx, { taskId: task.id, assignmentId, reviewerId: principal.id, action: input.action, reasonCode: input.reason_code ?? null, text: input.text ?? null, evidence: input.evidence ?? null }, now);
  });
  const after = await db.selectFrom('tasks').select(['status', 'sub_status', 'result']).where('id', '=', task.id).executeTakeFirstOrThrow();
  return { task_id: String(task.id), status: after.status, sub_status: after.sub_status, result: after.result === null ? null : JSON.parse(after.result) };
}

/**
 * The requester's audit of a completed task (POST /v1/task/{id}/audit). Accepting records it;
 * rejecting follows FAIRWORK rule 5 (reason code, 20 characters of comments, evidence) and sends
 * the task back: its answers stop counting and it is worked again.
 */
export async function auditTask(database: Database, principal: Principal, taskId: number, input: { accepted: boolean; comments?: string; reason_code?: string; evidence?: Record<string, unknown> }, now: number) {
  const { db } = database;
  const task = await db.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
  if (!task || (task.owner_id !== principal.id && principal.role !== 'admin') || (principal.isTest && task.is_test !== 1)) throw new AppError('task_not_found', `No task ${taskId}`);
  if (task.status !== 'completed') throw new AppError('task_not_completed');
  if (!input.accepted) {
    if (!input.reason_code || !(REVIEW_REASON_CODES as readonly string[]).includes(input.reason_code) || (input.comments ?? '').trim().length < MIN_REASON_TEXT) {
      throw new AppError('reason_required', undefined, { reason_codes: REVIEW_REASON_CODES, min_text: MIN_REASON_TEXT });
    }
    if (!input.evidence || Object.keys(input.evidence).length === 0) throw new AppError('evidence_required');
  }
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('review_decisions')
      .values({ task_id: task.id, assignment_id: null, reviewer_id: principal.id, action: input.accepted ? 'accept' : 'reject', reason_code: input.reason_code ?? null, text: input.comments ?? null, evidence: input.evidence ? JSON.stringify(input.evidence) : null, created_at: now })
      .execute();
    await recordAuditDecision(trx, { taskId: task.id, reviewerId: principal.id, accepted: input.accepted, reasonCode: input.reason_code ?? null, text: input.comments ?? null, evidence: input.evidence ?? null }, now);
    if (input.accepted) return;
    await trx.updateTable('assignments').set({ review_status: 'rejected' }).where('task_id', '=', task.id).where('status', '=', 'submitted').execute();
    await trx
      .updateTable('tasks')
      .set({ status: 'pending', sub_status: 'redo', answers_count: 0, completed_at: null, response: null, result: null, updated_at: now })
      .where('id', '=', task.id)
      .execute();
    await moveTaskCount(trx, task.project_id, 'completed', 'pending');
  });
  const after = await db.selectFrom('tasks').select(['status', 'sub_status']).where('id', '=', task.id).executeTakeFirstOrThrow();
  return { task_id: String(task.id), audited: input.accepted ? 'accepted' : 'rejected', status: after.status, sub_status: after.sub_status };
}

/**
 * The review deadline for whole tasks (FAIRWORK rule 6): a task still waiting in review whose answers
 * were all submitted before `submittedBefore` is accepted by rule, its aggregate becomes the result,
 * and it leaves the queue (completion hooks run, so its callback goes out). The ledger calls this after
 * approving the answers' pay. Returns how many tasks were accepted.
 */
export async function acceptOverdueReviews(database: Database, project: Project, submittedBefore: number, now: number): Promise<number> {
  const { db } = database;
  const due = await db
    .selectFrom('tasks')
    .select('id')
    .where('project_id', '=', project.id)
    .where('status', '=', 'pending')
    // A literal, so the partial index of tasks in review can serve it.
    .where('sub_status', '=', sql.lit('in_review'))
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('assignments').select('assignments.id').whereRef('assignments.task_id', '=', 'tasks.id').where('assignments.status', '=', 'submitted').where('assignments.ended_at', '>', submittedBefore))),
    )
    .orderBy('id')
    .limit(1000)
    .execute();
  let accepted = 0;
  for (const { id } of due) {
    const done = await transactWithRetry(database, async (trx) => {
      // Claims the task: a reviewer deciding it at the same moment finds it no longer in review.
      const task = await trx.updateTable('tasks').set({ updated_at: now }).where('id', '=', id).where('status', '=', 'pending').where('sub_status', '=', 'in_review').returningAll().executeTakeFirst();
      if (!task) return false;
      const result = await currentResult(trx, task, project);
      const completed = await saveResult(trx, task.id, result, { kind: 'rule', rule: 'review_deadline' }, now, { status: 'completed', sub_status: null, completed_at: now });
      await trx.updateTable('assignments').set({ review_status: 'accepted' }).where('task_id', '=', task.id).where('status', '=', 'submitted').where('review_status', 'is', null).execute();
      await taskCompletedIn(trx, completed, project, now);
      return true;
    });
    if (done) accepted++;
  }
  return accepted;
}

import type { Selectable, Transaction } from 'kysely';
import type { DB, TasksTable, WorkerQualityTable } from '../../db/index.ts';
import type { Project } from '../projects/index.ts';
import type { CountingAnswer } from '../tasks/index.ts';
import { type CategoricalResult, dynamicOverlapDecision } from './aggregation/index.ts';
import { addGoldEvidence, liveAnswers, saveResultOver } from './quality.repository.ts';
import { aggregateTask, categoricalView, type TaskResult } from './task-result.ts';

type TaskRecord = Selectable<TasksTable>;

/** What the work queue does with a task after an answer: finish it, hold it for review, ask for more, or wait. */
export type AnswerDecision =
  | { action: 'complete' | 'review'; result: TaskResult; answers: CountingAnswer[] }
  | { action: 'more'; required: number; result: TaskResult }
  | { action: 'wait' };

/**
 * A worker's accuracy for the in-loop posterior: the Beta posterior mean over gold evidence, with
 * the last full fit's accuracy (when there is one) as the prior's centre and the project prior's
 * strength, so gold answers always move it and a fresh worker starts from the project prior.
 */
export function skillOf(row: Pick<Selectable<WorkerQualityTable>, 'gold_n' | 'gold_correct' | 'fitted_accuracy'> | undefined, prior: { alpha: number; beta: number }): number {
  const strength = prior.alpha + prior.beta;
  const centre = row?.fitted_accuracy ?? prior.alpha / strength;
  return (centre * strength + (row?.gold_correct ?? 0)) / (strength + (row?.gold_n ?? 0));
}

// Deterministic sampling for review: the same task is always in or out of the sample, on every node.
function sampled(taskId: number, rate: number): boolean {
  return ((Math.imul(taskId, 2654435761) >>> 0) / 2 ** 32) < rate;
}

function needsReview(project: Project, taskId: number, result: TaskResult): boolean {
  const policy = project.reviewPolicy;
  switch (policy.mode) {
    case 'all':
      return true;
    case 'sample':
      return sampled(taskId, policy.sample_rate ?? 0.1);
    case 'low_confidence':
      return result.confidence !== null && result.confidence < (policy.confidence_below ?? project.quality.target_confidence);
    default:
      return false;
  }
}

/** The task's current result from its live answers and the workers' current skills. */
export async function currentResult(trx: Transaction<DB>, task: TaskRecord, project: Project): Promise<TaskResult> {
  return resultOf(task, project, await liveAnswers(trx, task));
}

function resultOf(task: TaskRecord, project: Project, answers: Awaited<ReturnType<typeof liveAnswers>>): TaskResult {
  const skills: CategoricalResult['workers'] = new Map();
  for (const a of answers) skills.set(String(a.workerId), { accuracy: skillOf(a.evidence, project.quality.prior) });
  const params = { ...project.params, ...JSON.parse(task.params) };
  const prior = project.quality.prior;
  return aggregateTask(task.type, params, answers.map((a) => ({ worker: String(a.workerId), response: a.response })), skills, prior.alpha / (prior.alpha + prior.beta));
}

/**
 * Runs inside the submit transaction, after the answer is stored: records gold evidence, then
 * decides on the task. Categorical tasks stop once the leading answer's posterior reaches the
 * project's target after the required answers, and otherwise ask for one more, up to overlap max
 * (dynamic overlap). Other types finish at their required answers.
 */
export async function decideAfterAnswer(trx: Transaction<DB>, task: TaskRecord, project: Project, answer: { workerId: number; goldScore: number | null }, now: number): Promise<AnswerDecision> {
  if (task.is_gold === 1) {
    if (answer.goldScore !== null) await addGoldEvidence(trx, project.id, answer.workerId, answer.goldScore, now);
    return { action: 'wait' };
  }
  if (task.status !== 'pending' || task.answers_count < task.responses_required) return { action: 'wait' };
  const answers = await liveAnswers(trx, task);
  const result = resultOf(task, project, answers);
  if (result.n_answers < task.responses_required) return { action: 'wait' };
  const params = { ...project.params, ...JSON.parse(task.params) };
  if (result.posterior && categoricalView(task.type, params) && project.overlapMax > task.responses_required) {
    const decision = dynamicOverlapDecision(result.posterior, result.n_answers, { min: task.responses_required, max: project.overlapMax, target: project.quality.target_confidence });
    if (decision.action === 'ask') return { action: 'more', required: result.n_answers + 1, result };
  }
  return { action: needsReview(project, task.id, result) ? 'review' : 'complete', result, answers: answers.map((a) => a.counting) };
}

/**
 * Applies a decision to the task row and returns the row as it now stands, unchanged on wait (the caller moves
 * project counters for completions). `task` is the current row, locked by the caller (saveResultOver).
 */
export async function applyDecision(trx: Transaction<DB>, task: TaskRecord, decision: AnswerDecision, now: number): Promise<TaskRecord> {
  if (decision.action === 'wait') return task;
  const by = { kind: 'aggregation' as const };
  if (decision.action === 'more') return saveResultOver(trx, task, decision.result, by, now, { responses_required: decision.required });
  if (decision.action === 'review') return saveResultOver(trx, task, decision.result, by, now, { sub_status: 'in_review' });
  return saveResultOver(trx, task, decision.result, by, now, { status: 'completed', sub_status: null, completed_at: now });
}

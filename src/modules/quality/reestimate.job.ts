import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, DB } from '../../db/index.ts';
import { findProjectById, type Project } from '../projects/index.ts';
import { aggregate, type Answer, isMethod } from './aggregation/index.ts';
import { type DecidedBy, saveResult } from './quality.repository.ts';
import { categoricalView, type TaskResult } from './task-result.ts';

const HOLDER = randomUUID();

/**
 * Takes the named job lease until `until` when it is free or expired. Works the same on both
 * databases (a conditional update), so one node at a time runs a project-wide job.
 */
export async function takeJobLease(db: Kysely<DB>, name: string, now: number, until: number): Promise<boolean> {
  await db.insertInto('job_leases').values({ name, holder: '', expires_at: 0 }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const result = await db
    .updateTable('job_leases')
    .set({ holder: HOLDER, expires_at: until })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('expires_at', '<', now), eb('holder', '=', HOLDER)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releaseJobLease(db: Kysely<DB>, name: string): Promise<void> {
  await db.updateTable('job_leases').set({ expires_at: 0 }).where('name', '=', name).where('holder', '=', HOLDER).execute();
}

/**
 * Full re-estimation of one categorical project: fits the project's method (Dawid-Skene by default)
 * over every counted answer, with gold answers as known labels, then stores each worker's fitted
 * accuracy and confusion matrix and updates the result of every finished or reviewed task whose
 * label or confidence changed. Returns what it did.
 */
export async function reestimateProject(database: Database, project: Project, now: number) {
  const { db } = database;
  const view = categoricalView(project.type, project.params);
  if (!view) return { answers: 0, changed: 0, iterations: 0 };
  const rows = await db
    .selectFrom('assignments')
    .innerJoin('tasks', 'tasks.id', 'assignments.task_id')
    .select(['assignments.worker_id', 'assignments.task_id', 'assignments.response', 'tasks.is_gold', 'tasks.expected_response'])
    .where('assignments.project_id', '=', project.id)
    .where('assignments.status', '=', 'submitted')
    .where((eb) => eb.or([eb('assignments.review_status', 'is', null), eb('assignments.review_status', '=', 'accepted')]))
    .where('tasks.is_test', '=', 0)
    .execute();
  const answers: Answer[] = [];
  const gold = new Map<string, string>();
  for (const r of rows) {
    const label = view.read(JSON.parse(r.response as string));
    if (label === undefined) continue;
    answers.push({ worker: String(r.worker_id), item: String(r.task_id), label });
    if (r.is_gold === 1 && r.expected_response) {
      const expected = view.read(JSON.parse(r.expected_response));
      if (expected !== undefined) gold.set(String(r.task_id), expected);
    }
  }
  if (answers.length === 0) return { answers: 0, changed: 0, iterations: 0 };
  const method = isMethod(project.quality.method) ? project.quality.method : 'ds';
  const fit = aggregate(method, answers, { gold });

  const tasks = await db
    .selectFrom('tasks')
    .select(['id', 'result', 'status', 'sub_status'])
    .where('project_id', '=', project.id)
    .where('is_gold', '=', 0)
    .where('result', 'is not', null)
    .execute();
  let changed = 0;
  const updates: { id: number; stored: TaskResult & { decided_by?: DecidedBy }; answer: Record<string, unknown>; confidence: number }[] = [];
  for (const task of tasks) {
    const item = fit.items.get(String(task.id));
    const stored = JSON.parse(task.result as string);
    // A reviewer's decision stands: re-estimation never overrides a person.
    if (!item || stored.decided_by?.kind === 'reviewer') continue;
    const answer = view.write(item.label);
    if (JSON.stringify(answer) === JSON.stringify(stored.answer) && Math.abs(item.confidence - (stored.confidence ?? 0)) < 1e-6) continue;
    updates.push({ id: task.id, stored, answer, confidence: item.confidence });
  }
  // Results are rewritten in short transactions, so the work queue is never held up for long.
  for (let i = 0; i < updates.length; i += 500) {
    await db.transaction().execute(async (trx) => {
      for (const u of updates.slice(i, i + 500)) {
        changed++;
        await saveResult(trx, u.id, { ...u.stored, answer: u.answer, confidence: u.confidence, method: `${method}_project_fit` }, u.stored.decided_by ?? { kind: 'aggregation' }, now);
      }
    });
  }
  await db.transaction().execute(async (trx) => {
    for (const [worker, skill] of fit.workers) {
      await trx
        .insertInto('worker_quality')
        .values({ project_id: project.id, worker_id: Number(worker), fitted_accuracy: skill.accuracy, confusion: skill.confusion ? JSON.stringify(skill.confusion) : null, updated_at: now })
        .onConflict((oc) => oc.columns(['project_id', 'worker_id']).doUpdateSet({ fitted_accuracy: skill.accuracy, confusion: skill.confusion ? JSON.stringify(skill.confusion) : null, updated_at: now }))
        .execute();
    }
    await trx
      .insertInto('quality_fits')
      .values({ project_id: project.id, answers_at_fit: answers.length, iterations: fit.iterations, method, fitted_at: now })
      .onConflict((oc) => oc.column('project_id').doUpdateSet({ answers_at_fit: answers.length, iterations: fit.iterations, method, fitted_at: now }))
      .execute();
  });
  return { answers: answers.length, changed, iterations: fit.iterations };
}

/**
 * The job: re-estimates every active categorical project that gained at least its
 * `reestimate_every` answers since the last fit. One node at a time (job lease).
 */
export async function reestimateDueProjects(database: Database, now: number): Promise<number> {
  const { db } = database;
  if (!(await takeJobLease(db, 'quality-reestimate', now, now + 10 * 60_000))) return 0;
  try {
    const counts = await db
      .selectFrom('assignments')
      .select(['project_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'submitted')
      .groupBy('project_id')
      .execute();
    const fits = new Map((await db.selectFrom('quality_fits').select(['project_id', 'answers_at_fit']).execute()).map((f) => [f.project_id, f.answers_at_fit]));
    let done = 0;
    for (const { project_id: projectId, n } of counts) {
      const project = await findProjectById(db, projectId);
      if (!project || project.status !== 'active' || !categoricalView(project.type, project.params)) continue;
      // Refit after `reestimate_every` new answers, or 10% growth for big projects: a full fit of a
      // million answers costs seconds, and a few hundred more answers barely move the skills.
      const last = fits.get(projectId) ?? 0;
      if (Number(n) - last < Math.max(project.quality.reestimate_every, 0.1 * last)) continue;
      await reestimateProject(database, project, now);
      done++;
    }
    return done;
  } finally {
    await releaseJobLease(db, 'quality-reestimate');
  }
}

import { sql } from 'kysely';
import type { Database, TasksTable } from '../../db/index.ts';
import type { Selectable } from 'kysely';
import { findProjectById, type Project } from '../projects/index.ts';
import { predictionsProblem } from './task-input.ts';

export const PRELABEL_MAX_ATTEMPTS = 5;

/** Calls a model endpoint for one task; resolves to the parsed JSON answer or throws. */
export type PredictionCaller = (url: string, body: unknown, timeoutMs: number) => Promise<unknown>;

export const httpPredictionCaller: PredictionCaller = async (url, body, timeoutMs) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`model endpoint answered ${res.status}`);
  return res.json();
};

/**
 * Asks each project's model endpoint for predictions on tasks waiting for them: POST
 * `{task: {id, type, params, attachments}}`, expecting `{predictions: [{response, score?, model?}]}`
 * that fit the type. Timeouts and errors are retried with backoff (5 s doubling), up to 5 attempts,
 * then the task is marked failed and simply has no pre-label. Rows are leased, so nodes share the work.
 */
export async function prelabelDueTasks(database: Database, now: () => number, call: PredictionCaller = httpPredictionCaller, limit = 50): Promise<number> {
  const { db, dialect } = database;
  const due = await db.transaction().execute(async (trx) => {
    const rows = (await sql<Selectable<TasksTable>>`SELECT * FROM tasks WHERE prelabel_status = 'pending' AND prelabel_next_at <= ${now()} ORDER BY prelabel_next_at LIMIT ${sql.lit(limit)} ${sql.raw(dialect.forUpdateSkipLocked)}`.execute(trx)).rows;
    if (rows.length) await trx.updateTable('tasks').set({ prelabel_next_at: now() + 5 * 60_000 }).where('id', 'in', rows.map((r) => r.id)).execute();
    return rows;
  });
  const projects = new Map<number, Project | undefined>();
  await Promise.all(
    due.map(async (task) => {
      if (!projects.has(task.project_id)) projects.set(task.project_id, await findProjectById(db, task.project_id));
      const project = projects.get(task.project_id);
      const url = project?.prelabels.endpoint_url;
      if (!project || !url) {
        await db.updateTable('tasks').set({ prelabel_status: null }).where('id', '=', task.id).execute();
        return;
      }
      const params = { ...project.params, ...JSON.parse(task.params) };
      try {
        const answer = (await call(url, { task: { id: String(task.id), type: task.type, params, attachments: JSON.parse(task.attachments) } }, project.prelabels.timeout_ms)) as { predictions?: unknown };
        const problem = predictionsProblem(task.type, params, answer?.predictions);
        if (problem) throw new Error(problem);
        await db.updateTable('tasks').set({ predictions: JSON.stringify(answer.predictions), prelabel_status: 'done', prelabel_attempts: task.prelabel_attempts + 1 }).where('id', '=', task.id).execute();
      } catch {
        const attempts = task.prelabel_attempts + 1;
        await db
          .updateTable('tasks')
          .set(attempts >= PRELABEL_MAX_ATTEMPTS ? { prelabel_status: 'failed', prelabel_attempts: attempts } : { prelabel_attempts: attempts, prelabel_next_at: now() + 5_000 * 2 ** (attempts - 1) })
          .where('id', '=', task.id)
          .execute();
      }
    }),
  );
  return due.length;
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../server/errors.ts';
import { REVIEW_REASON_CODES } from '../../shared/task-types.ts';
import { ROLES, requireRole } from '../accounts/index.ts';
import { findProjectByName, getProjectFor } from '../projects/index.ts';
import { krippendorffAlpha, reliabilityData } from './agreement/index.ts';
import { accuracyEstimate } from './beta.ts';
import { skillOf } from './quality.service.ts';
import { auditTask, decideReview, reviewQueue } from './review.service.ts';
import { categoricalView } from './task-result.ts';

const DAY_MS = 86_400_000;

/** Review, project quality reports, and a worker's own quality estimates. */
export const qualityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, now } = app.services;
  const db = database.db;

  app.get(
    '/v1/review/queue',
    { schema: { tags: ['review'], querystring: Type.Object({ project: Type.String({ maxLength: 100 }), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) }, { additionalProperties: false }) } },
    async (request) => {
      const principal = requireRole(request, 'reviewer', 'requester');
      const project = await findProjectByName(db, request.query.project);
      if (!project) throw new AppError('project_not_found');
      return { ...(await reviewQueue(database, principal, project, request.query.limit ?? 20)), reason_codes: REVIEW_REASON_CODES };
    },
  );

  app.post(
    '/v1/review/tasks/:id',
    {
      schema: {
        tags: ['review'],
        params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
        body: Type.Object(
          {
            action: Type.Union([Type.Literal('accept'), Type.Literal('fix'), Type.Literal('revise'), Type.Literal('reject')]),
            response: Type.Optional(Type.Unknown()),
            assignment_id: Type.Optional(Type.String({ maxLength: 40 })),
            reason_code: Type.Optional(Type.String({ maxLength: 100 })),
            text: Type.Optional(Type.String({ maxLength: 20_000 })),
            evidence: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const principal = requireRole(request, 'reviewer', 'requester');
      if (!/^\d{1,15}$/.test(request.params.id)) throw new AppError('task_not_found');
      return decideReview(database, principal, Number(request.params.id), request.body, now());
    },
  );

  app.post(
    '/v1/task/:id/audit',
    {
      schema: {
        tags: ['tasks'],
        params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
        body: Type.Object(
          {
            accepted: Type.Boolean(),
            comments: Type.Optional(Type.String({ maxLength: 20_000 })),
            reason_code: Type.Optional(Type.String({ maxLength: 100 })),
            evidence: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const principal = requireRole(request, 'requester');
      if (!/^\d{1,15}$/.test(request.params.id)) throw new AppError('task_not_found');
      return auditTask(database, principal, Number(request.params.id), request.body, now());
    },
  );

  app.get('/v1/projects/:name/quality', { schema: { tags: ['projects'], params: Type.Object({ name: Type.String({ maxLength: 100 }) }) } }, async (request) => {
    const principal = requireRole(request, 'requester');
    const project = await getProjectFor(db, principal, request.params.name);
    const rows = await db
      .selectFrom('worker_quality')
      .innerJoin('users', 'users.id', 'worker_quality.worker_id')
      .select(['worker_quality.worker_id', 'worker_quality.gold_n', 'worker_quality.gold_correct', 'worker_quality.fitted_accuracy', 'users.display_name'])
      .where('project_id', '=', project.id)
      .orderBy('worker_quality.worker_id')
      .execute();
    const counts = await db
      .selectFrom('assignments')
      .select(['worker_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('project_id', '=', project.id)
      .where('status', '=', 'submitted')
      .groupBy('worker_id')
      .execute();
    const answered = new Map(counts.map((c) => [c.worker_id, Number(c.n)]));
    const workers = rows.map((r) => ({
      worker_id: r.worker_id,
      name: r.display_name,
      answers: answered.get(r.worker_id) ?? 0,
      gold: accuracyEstimate(r.gold_correct, r.gold_n, project.quality.prior),
      fitted_accuracy: r.fitted_accuracy,
      skill: skillOf(r, project.quality.prior),
    }));

    // Agreement (Krippendorff's alpha, nominal) per day of answering, over the last 30 days.
    const params = project.params;
    const view = categoricalView(project.type, params);
    const byDay: { day: string; alpha: number | null; answers: number }[] = [];
    if (view) {
      const since = now() - 30 * DAY_MS;
      const answers = await db
        .selectFrom('assignments')
        .innerJoin('tasks', 'tasks.id', 'assignments.task_id')
        .select(['assignments.worker_id', 'assignments.task_id', 'assignments.response', 'assignments.ended_at'])
        .where('assignments.project_id', '=', project.id)
        .where('assignments.status', '=', 'submitted')
        .where('tasks.is_gold', '=', 0)
        .where('assignments.ended_at', '>=', since)
        .execute();
      const days = new Map<string, { worker: string; item: string; label: string }[]>();
      for (const a of answers) {
        const day = new Date(a.ended_at as number).toISOString().slice(0, 10);
        const list = days.get(day) ?? [];
        list.push({ worker: String(a.worker_id), item: String(a.task_id), label: view.read(JSON.parse(a.response as string)) ?? '' });
        days.set(day, list);
      }
      for (const [day, list] of [...days].sort()) {
        const alpha = krippendorffAlpha(reliabilityData(list).data, 'nominal');
        byDay.push({ day, alpha: Number.isNaN(alpha) ? null : alpha, answers: list.length });
      }
    }
    return { project: project.name, workers, agreement: { level: 'nominal', by_day: byDay } };
  });

  app.get('/v1/work/quality', { schema: { tags: ['work'] } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    const rows = await db
      .selectFrom('worker_quality')
      .innerJoin('projects', 'projects.id', 'worker_quality.project_id')
      .select(['projects.id', 'projects.name', 'projects.quality', 'worker_quality.gold_n', 'worker_quality.gold_correct'])
      .where('worker_id', '=', principal.id)
      .execute();
    const docs = [];
    for (const r of rows) {
      const prior = { alpha: 4, beta: 1, ...(JSON.parse(r.quality).prior ?? {}) };
      // The items the estimate rests on, with the worker's score on each (FAIRWORK rule 10).
      const items = await db
        .selectFrom('assignments')
        .innerJoin('tasks', 'tasks.id', 'assignments.task_id')
        .select(['assignments.task_id', 'assignments.gold_score', 'assignments.ended_at'])
        .where('assignments.worker_id', '=', principal.id)
        .where('assignments.project_id', '=', r.id)
        .where('assignments.is_gold', '=', 1)
        .where('assignments.status', '=', 'submitted')
        // A quarantined item no longer counts (rule 10).
        .where((eb) => eb.or([eb('tasks.sub_status', 'is', null), eb('tasks.sub_status', '!=', 'quarantined')]))
        .orderBy('assignments.id')
        .execute();
      docs.push({
        project: r.name,
        ...accuracyEstimate(r.gold_correct, r.gold_n, prior),
        items: items.map((i) => ({ task_id: String(i.task_id), score: i.gold_score, at: new Date(i.ended_at as number).toISOString() })),
      });
    }
    return { docs };
  });
};

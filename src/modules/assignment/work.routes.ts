import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../server/errors.ts';
import { ROLES, requireRole } from '../accounts/index.ts';
import { countTasksByStatus, findProjectByName } from '../projects/index.ts';
import { workerSkills } from './assignment.repository.ts';
import { activeAssignments, claim, estimateOf, heartbeat, ineligibility, skip, submit } from './assignment.service.ts';

const IdParams = Type.Object({ id: Type.String({ maxLength: 40 }) });
const ProjectParams = Type.Object({ project: Type.String({ maxLength: 100 }) });

function assignmentId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new AppError('assignment_not_found', `No assignment ${raw}`);
  return Number(raw);
}

/** The worker side: open projects, claim, heartbeat, submit, skip. Any signed-in role may work. */
export const workRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, now } = app.services;
  const db = database.db;

  app.get('/v1/work/projects', { schema: { tags: ['work'] } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    const skills = await workerSkills(db, principal.id);
    const projects = (await db.selectFrom('projects').select('name').where('status', '=', 'active').orderBy('id').execute()).map((r) => r.name);
    const open = [];
    for (const name of projects) {
      const project = await findProjectByName(db, name);
      if (!project || ineligibility(project, principal, skills)) continue;
      open.push(project);
    }
    const counts = await countTasksByStatus(db, open.map((p) => p.id));
    return {
      docs: open.map((p) => {
        const e = estimateOf(p);
        return {
          name: p.name,
          type: p.type,
          instructions: p.instructions,
          estimate: { seconds: e.seconds, pay_minor: e.pay_minor, hourly_minor: e.hourly_minor, currency: e.currency },
          review_deadline_days: e.review_deadline_days,
          content_warnings: e.content_warnings,
          available: counts.get(p.id)?.pending ?? 0,
        };
      }),
    };
  });

  app.post('/v1/work/projects/:project/claim', { schema: { tags: ['work'], params: ProjectParams } }, async (request, reply) => {
    const principal = requireRole(request, ...ROLES);
    // Claims, then submits, each as a cohort (GroupCommitSqliteDriver.atEndOfTurn): claims are answered first.
    await database.dialect.atEndOfTurn();
    const assignment = await claim(database, principal, request.params.project, now());
    if (!assignment) return reply.status(204).send();
    return { assignment };
  });

  app.get('/v1/work/projects/:project/assignments', { schema: { tags: ['work'], params: ProjectParams } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    return { docs: await activeAssignments(database, principal, request.params.project, now()) };
  });

  app.post(
    '/v1/work/assignments/:id/heartbeat',
    { schema: { tags: ['work'], params: IdParams, body: Type.Object({ visible: Type.Boolean(), input_active: Type.Boolean() }, { additionalProperties: false }) } },
    async (request) => {
      const principal = requireRole(request, ...ROLES);
      return heartbeat(database, principal, assignmentId(request.params.id), { visible: request.body.visible, inputActive: request.body.input_active }, now());
    },
  );

  app.post(
    '/v1/work/assignments/:id/submit',
    { schema: { tags: ['work'], params: IdParams, body: Type.Object({ response: Type.Unknown() }, { additionalProperties: false }) } },
    async (request) => {
      const principal = requireRole(request, ...ROLES);
      await database.dialect.afterThisTurn();
      const result = await submit(database, principal, assignmentId(request.params.id), request.body.response, now());
      return { ok: true, ...(result.feedback && { feedback: result.feedback }) };
    },
  );

  app.post(
    '/v1/work/assignments/:id/skip',
    { schema: { tags: ['work'], params: IdParams, body: Type.Optional(Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false })) } },
    async (request) => {
      const principal = requireRole(request, ...ROLES);
      return skip(database, principal, assignmentId(request.params.id), request.body?.reason, now());
    },
  );
};

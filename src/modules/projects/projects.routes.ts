import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireRole } from '../accounts/index.ts';
import { taskTypes } from '../task-types/index.ts';
import { countTasksByStatus, type Project } from './projects.repository.ts';
import { createProject, getProjectFor, listProjectsFor, setProjectParams } from './projects.service.ts';

/** The wire shape of a project. */
export function presentProject(p: Project, counts?: Record<string, number>) {
  return {
    id: p.id,
    name: p.name,
    type: p.type,
    params: p.params,
    instructions: p.instructions,
    overlap: { min: p.overlapMin, max: p.overlapMax },
    priority: p.priority,
    gold_rate: p.goldRate,
    review_policy: p.reviewPolicy,
    pay: p.pay,
    lease_seconds: p.leaseSeconds,
    idle_grace_seconds: p.idleGraceSeconds,
    per_worker_cap: p.perWorkerCap,
    languages: p.languages,
    content_warnings: p.contentWarnings,
    required_skills: p.requiredSkills,
    quality: p.quality,
    prelabels: p.prelabels,
    status: p.status,
    created_at: new Date(p.createdAt).toISOString(),
    updated_at: new Date(p.updatedAt).toISOString(),
    ...(counts && { task_counts: { pending: 0, completed: 0, canceled: 0, error: 0, ...counts } }),
  };
}

export const ProjectName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$', description: 'Letters, digits, _ . - (unique)' });
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
const Minor = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });

const settings = {
  params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "Preset values of the type's own fields, e.g. categories" })),
  instructions: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$' }), Type.String({ maxLength: 200_000 }))),
  overlap: Type.Optional(Type.Object({ min: Type.Integer({ minimum: 1, maximum: 100 }), max: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }, { additionalProperties: false })),
  priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  gold_rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  review_policy: Type.Optional(
    Type.Object(
      {
        mode: Type.Union([Type.Literal('none'), Type.Literal('all'), Type.Literal('sample'), Type.Literal('low_confidence')]),
        sample_rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        confidence_below: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        deadline_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 14 })),
      },
      { additionalProperties: false },
    ),
  ),
  pay: Type.Optional(
    Type.Object(
      {
        currency: Type.Optional(Currency),
        piece_rate_minor: Type.Optional(Minor),
        promised_hourly_minor: Type.Optional(Minor),
        estimated_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
      },
      { additionalProperties: false },
    ),
  ),
  lease_seconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 86_400 })),
  idle_grace_seconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 1200 })),
  per_worker_cap: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  languages: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$' }), { maxItems: 20 })),
  content_warnings: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 20 })),
  required_skills: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20, description: 'Skills or qualifications a worker must hold' })),
  quality: Type.Optional(
    Type.Object(
      {
        target_confidence: Type.Optional(Type.Number({ minimum: 0.5, maximum: 1 })),
        method: Type.Optional(Type.Union(['ds', 'mv', 'onecoin', 'glad', 'wawa'].map((m) => Type.Literal(m)))),
        prior: Type.Optional(Type.Object({ alpha: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }), beta: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }) }, { additionalProperties: false })),
        reestimate_every: Type.Optional(Type.Integer({ minimum: 10, maximum: 1_000_000 })),
        annotator_responses: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
  ),
  prelabels: Type.Optional(
    Type.Object(
      {
        show: Type.Optional(Type.Boolean()),
        endpoint_url: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
        timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000 })),
      },
      { additionalProperties: false },
    ),
  ),
  status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('paused'), Type.Literal('archived')])),
};

export const ProjectCreateBody = Type.Object({ name: ProjectName, type: Type.String({ maxLength: 64 }), ...settings }, { additionalProperties: false });
export const ProjectSetParamsBody = Type.Object(
  { ...settings, patch: Type.Optional(Type.Boolean({ description: 'false replaces params instead of merging (default true)' })) },
  { additionalProperties: false },
);
const NameParams = Type.Object({ name: Type.String({ maxLength: 100 }) });

/** Projects: create, list, read, change settings; and the task-type registry. */
export const projectsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, now } = app.services;
  const db = database.db;

  app.post('/v1/projects', { schema: { tags: ['projects'], body: ProjectCreateBody } }, async (request) => {
    const principal = requireRole(request, 'requester');
    return presentProject(await createProject(db, principal, request.body, now()));
  });

  app.get('/v1/projects', { schema: { tags: ['projects'] } }, async (request) => {
    const principal = requireRole(request, 'requester');
    const projects = await listProjectsFor(db, principal);
    const counts = await countTasksByStatus(db, projects.map((p) => p.id));
    return { docs: projects.map((p) => presentProject(p, counts.get(p.id) ?? {})) };
  });

  app.get('/v1/projects/:name', { schema: { tags: ['projects'], params: NameParams } }, async (request) => {
    const principal = requireRole(request, 'requester');
    const project = await getProjectFor(db, principal, request.params.name);
    const counts = await countTasksByStatus(db, [project.id]);
    return presentProject(project, counts.get(project.id) ?? {});
  });

  app.post('/v1/projects/:name/setParams', { schema: { tags: ['projects'], params: NameParams, body: ProjectSetParamsBody } }, async (request) => {
    const principal = requireRole(request, 'requester');
    const { patch, ...input } = request.body;
    return presentProject(await setProjectParams(db, principal, request.params.name, input, patch === false, now()));
  });

  app.get('/v1/task_types', { schema: { tags: ['projects'] } }, async (request) => {
    requireRole(request, 'requester', 'reviewer', 'worker');
    return {
      docs: [...taskTypes.values()].map((d) => ({ type: d.type, title: d.title, params_schema: d.params, example: d.example })),
    };
  });
};

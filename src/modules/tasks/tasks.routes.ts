import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IncomingMessage } from 'node:http';
import { Type } from 'typebox';
import { AppError } from '../../server/errors.ts';
import { requireRole } from '../accounts/index.ts';
import { getProjectFor } from '../projects/index.ts';
import { importTasks } from './import.service.ts';
import { formatFrom, type ImportFormat } from './parsers.ts';
import { cancelTaskFor, changeTaskTags, createTask, getTaskFor, listTasksFor, setTaskMetadata } from './tasks.service.ts';

const TaskIdParams = Type.Object({ id: Type.String({ maxLength: 40 }) });
const TypeParams = Type.Object({ type: Type.String({ maxLength: 64 }) });
const TaskBody = Type.Object(
  {
    project: Type.String({ maxLength: 100 }),
    batch: Type.Optional(Type.String({ maxLength: 200 })),
    instruction: Type.Optional(Type.String()),
    callback_url: Type.Optional(Type.String({ maxLength: 2000 })),
    attachments: Type.Optional(Type.Array(Type.Object({ type: Type.String(), content: Type.Unknown() }), { maxItems: 50 })),
    unique_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
    responses_required: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    metadata: Type.Optional(Type.Object({}, { additionalProperties: true })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 })),
  },
  { additionalProperties: true, description: "Common task fields plus the type's own fields (see GET /v1/task_types)" },
);
const GoldBody = Type.Intersect([TaskBody, Type.Object({ expected_response: Type.Object({}, { additionalProperties: true }), explanation: Type.Optional(Type.String({ maxLength: 20_000 })) })]);

export const TaskListQuery = Type.Object(
  {
    project: Type.Optional(Type.String({ maxLength: 100 })),
    batch: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('completed'), Type.Literal('canceled'), Type.Literal('error')])),
    type: Type.Optional(Type.String({ maxLength: 64 })),
    unique_id: Type.Optional(Type.String({ maxLength: 256 })),
    tags: Type.Optional(Type.String({ maxLength: 2000, description: 'Comma-separated; a task must carry all of them' })),
    created_after: Type.Optional(Type.String({ maxLength: 40 })),
    created_before: Type.Optional(Type.String({ maxLength: 40 })),
    completed_after: Type.Optional(Type.String({ maxLength: 40 })),
    completed_before: Type.Optional(Type.String({ maxLength: 40 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100 })),
    next_token: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

const ImportQuery = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('jsonl'), Type.Literal('json'), Type.Literal('csv')])),
    filename: Type.Optional(Type.String({ maxLength: 500 })),
    progress: Type.Optional(Type.Boolean({ description: 'Stream NDJSON progress events, then the summary' })),
  },
  { additionalProperties: false },
);

function taskId(raw: string): number {
  // Ids are integers; anything else cannot name a task.
  if (!/^\d{1,15}$/.test(raw)) throw new AppError('task_not_found', `No task ${raw}`);
  return Number(raw);
}

/** Tasks: create one (or a gold one), read, list, cancel; and streamed bulk import. */
export const tasksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, now, config } = app.services;
  const db = database.db;

  for (const [path, gold] of [
    ['/v1/task/:type', false],
    ['/v1/evaluation_tasks/:type', true],
  ] as const) {
    app.post(path, { schema: { tags: ['tasks'], params: TypeParams, body: gold ? GoldBody : TaskBody } }, async (request, reply) => {
      const principal = requireRole(request, 'requester');
      const key = request.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 255)) throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 255 characters');
      const result = await createTask(database, principal, { type: request.params.type, body: request.body as Record<string, unknown>, gold, idempotencyKey: key, selfPort: config.port }, now());
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(result.statusCode).send(result.body);
    });
  }

  app.get('/v1/task/:id', { schema: { tags: ['tasks'], params: TaskIdParams } }, async (request) => {
    const principal = requireRole(request, 'requester');
    return getTaskFor(db, principal, taskId(request.params.id));
  });

  app.get('/v1/tasks', { schema: { tags: ['tasks'], querystring: TaskListQuery } }, async (request) => {
    const principal = requireRole(request, 'requester');
    return listTasksFor(db, principal, request.query);
  });

  app.post('/v1/task/:id/cancel', { schema: { tags: ['tasks'], params: TaskIdParams } }, async (request) => {
    const principal = requireRole(request, 'requester');
    return cancelTaskFor(database, principal, taskId(request.params.id), now());
  });

  app.post(
    '/v1/task/:id/setMetadata',
    { schema: { tags: ['tasks'], params: TaskIdParams, body: Type.Object({ metadata: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false }) } },
    async (request) => {
      const principal = requireRole(request, 'requester');
      return setTaskMetadata(db, principal, taskId(request.params.id), request.body.metadata, now());
    },
  );

  const TagsBody = Type.Object({ tags: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 50 }) }, { additionalProperties: false });
  app.put('/v1/task/:id/tags', { schema: { tags: ['tasks'], params: TaskIdParams, body: TagsBody } }, async (request) => {
    const principal = requireRole(request, 'requester');
    return changeTaskTags(database, principal, taskId(request.params.id), request.body.tags, 'add', now());
  });
  app.delete('/v1/task/:id/tags', { schema: { tags: ['tasks'], params: TaskIdParams, body: TagsBody } }, async (request) => {
    const principal = requireRole(request, 'requester');
    return changeTaskTags(database, principal, taskId(request.params.id), request.body.tags, 'remove', now());
  });

  app.get('/v1/projects/:name/imports', { schema: { tags: ['tasks'], params: Type.Object({ name: Type.String({ maxLength: 100 }) }) } }, async (request) => {
    const principal = requireRole(request, 'requester');
    const project = await getProjectFor(db, principal, request.params.name);
    const rows = await db.selectFrom('imports').selectAll().where('project_id', '=', project.id).orderBy('id', 'desc').limit(50).execute();
    return {
      docs: rows.map((r) => ({
        import_id: r.id,
        source: r.source,
        format: r.format,
        status: r.status,
        rows: r.rows_read,
        inserted: r.inserted,
        existing: r.existing,
        failed: r.failed,
        started_at: new Date(r.started_at).toISOString(),
        finished_at: r.finished_at === null ? null : new Date(r.finished_at).toISOString(),
      })),
    };
  });

  // The import route reads its body as a stream: its own scope, with a pass-through parser.
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    scope.post(
      '/v1/projects/:name/import',
      {
        bodyLimit: config.importMaxBytes,
        schema: {
          tags: ['tasks'],
          description: 'Streams a JSONL, JSON-array or CSV file of tasks into the project. Needs Content-Length.',
          params: Type.Object({ name: Type.String({ maxLength: 100 }) }),
          querystring: ImportQuery,
        },
      },
      async (request, reply) => {
        const principal = requireRole(request, 'requester');
        const length = request.headers['content-length'];
        // Refuse oversized or unsized uploads before reading a byte, so nothing is written.
        if (length === undefined) throw new AppError('length_required');
        if (Number(length) > config.importMaxBytes) {
          reply.header('connection', 'close');
          throw new AppError('payload_too_large', `Uploads are limited to ${config.importMaxBytes} bytes`);
        }
        const project = await getProjectFor(db, principal, request.params.name);
        const format: ImportFormat | undefined = request.query.format ?? formatFrom(request.query.filename) ?? formatFrom(request.headers['content-type']);
        if (!format) throw new AppError('unsupported_media_type', 'Say the format: ?format=jsonl|json|csv, a file name, or a text/csv / application/x-ndjson / application/json content type');
        const body = request.body as IncomingMessage;
        const run = (onProgress?: Parameters<typeof importTasks>[1]['onProgress']) =>
          importTasks(database, { owner: principal, project, input: body, format, source: request.query.filename ?? 'upload', now, onProgress, selfPort: config.port });
        if (!request.query.progress) return run();
        const out = new PassThrough();
        reply.type('application/x-ndjson').send(out);
        run((p) => out.write(`${JSON.stringify({ event: 'progress', ...p })}\n`))
          .then((summary) => out.end(`${JSON.stringify({ event: 'done', ...summary })}\n`))
          .catch((error) => {
            request.log.error({ err: error }, 'import failed');
            out.end(`${JSON.stringify({ event: 'error', code: 'internal', message: 'The import stopped on a server error; rows already reported have landed' })}\n`);
          });
        return reply;
      },
    );
  });
};

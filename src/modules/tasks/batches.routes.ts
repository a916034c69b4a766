import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireRole } from '../accounts/index.ts';
import { batchStatus, changeBatch, createBatch, getBatchFor, listBatches, presentBatch } from './batches.service.ts';
import { findProjectById } from '../projects/index.ts';

const NameParams = Type.Object({ name: Type.String({ maxLength: 200 }) });

/** Batches: staging, finalize, pause, resume, cancel, status counts. */
export const batchesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, now, config } = app.services;
  const db = database.db;

  app.post(
    '/v1/batches',
    {
      schema: {
        tags: ['batches'],
        body: Type.Object(
          { project: Type.String({ maxLength: 100 }), name: Type.String({ minLength: 1, maxLength: 200 }), callback_url: Type.Optional(Type.String({ maxLength: 2000 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => createBatch(db, requireRole(request, 'requester'), request.body, config.port, now()),
  );

  app.get(
    '/v1/batches',
    { schema: { tags: ['batches'], querystring: Type.Object({ project: Type.Optional(Type.String({ maxLength: 100 })), status: Type.Optional(Type.String({ maxLength: 20 })) }, { additionalProperties: false }) } },
    async (request) => ({ docs: await listBatches(db, requireRole(request, 'requester'), request.query) }),
  );

  app.get('/v1/batches/:name', { schema: { tags: ['batches'], params: NameParams } }, async (request) => {
    const batch = await getBatchFor(db, requireRole(request, 'requester'), request.params.name);
    return presentBatch(batch, (await findProjectById(db, batch.project_id))?.name ?? '');
  });

  app.get('/v1/batches/:name/status', { schema: { tags: ['batches'], params: NameParams } }, async (request) => batchStatus(db, requireRole(request, 'requester'), request.params.name));

  for (const action of ['finalize', 'pause', 'resume', 'cancel'] as const) {
    app.post(`/v1/batches/:name/${action}`, { schema: { tags: ['batches'], params: NameParams } }, async (request) =>
      changeBatch(database, requireRole(request, 'requester'), request.params.name, action, now()),
    );
  }
};

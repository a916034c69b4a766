import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireRole } from '../accounts/index.ts';
import { exportError } from './export-errors.ts';
import { createExport, ExportRunner, exportFileFor, getExportFor, listExportsFor } from './export.service.ts';
import { EXPORT_FORMAT_IDS } from './formats.ts';

export const ExportCreateBody = Type.Object(
  {
    project: Type.Optional(Type.String({ maxLength: 100, description: 'Project name (or give a batch: its project is taken)' })),
    batch: Type.Optional(Type.String({ maxLength: 200 })),
    format: Type.String({ maxLength: 64, description: `One of ${EXPORT_FORMAT_IDS.join(', ')}` }),
    filters: Type.Optional(
      Type.Object(
        {
          batch: Type.Optional(Type.String({ maxLength: 200 })),
          status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('completed'), Type.Literal('canceled'), Type.Literal('error')], { description: 'default completed' })),
          completed_since: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601' })),
          min_confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'on the stored result confidence' })),
          only_reviewed: Type.Optional(Type.Boolean({ description: 'only tasks a reviewer decided' })),
        },
        { additionalProperties: false },
      ),
    ),
    options: Type.Optional(
      Type.Object(
        {
          include_ties: Type.Optional(Type.Boolean({ description: 'trl_preference: keep ties and both_bad, with an outcome field' })),
          split: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'yolo: split folder name (default train)' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const ExportIdParams = Type.Object({ id: Type.String({ maxLength: 40 }) });
const ExportFileParams = Type.Object({ id: Type.String({ maxLength: 40 }), '*': Type.String({ maxLength: 500 }) });
const ExportListQuery = Type.Object({ project: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false });

function exportId(raw: string): number {
  // Ids are integers; anything else cannot name an export.
  if (!/^\d{1,15}$/.test(raw)) throw exportError('export_not_found', `No export ${raw}`);
  return Number(raw);
}

/**
 * Dataset exports: ask for one (it runs in the background of this process), follow its progress,
 * download its files. Files live under `${DATA_DIR}/exports/<id>/`: with several nodes, DATA_DIR
 * must be shared storage for a download to reach the node that wrote it.
 */
export const exportsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, now, config } = app.services;
  const db = database.db;
  const runner = new ExportRunner(db, config.dataDir, now, 2, (error) => app.log.error({ err: error }, 'export failed'));
  app.addHook('onClose', async () => runner.close());

  app.post('/v1/exports', { schema: { tags: ['exports'], body: ExportCreateBody } }, async (request) => {
    const principal = requireRole(request, 'requester');
    const created = await createExport(db, principal, request.body, now());
    runner.enqueue(Number(created.export_id));
    return created;
  });

  app.get('/v1/exports', { schema: { tags: ['exports'], querystring: ExportListQuery } }, async (request) => {
    const principal = requireRole(request, 'requester');
    return listExportsFor(db, principal, request.query.project);
  });

  app.get('/v1/exports/:id', { schema: { tags: ['exports'], params: ExportIdParams } }, async (request) => {
    const principal = requireRole(request, 'requester');
    return getExportFor(db, principal, exportId(request.params.id), now());
  });

  app.get(
    '/v1/exports/:id/files/*',
    { schema: { tags: ['exports'], description: "Streams one of a finished export's files (names as its files list gives them)", params: ExportFileParams } },
    async (request, reply) => {
      const principal = requireRole(request, 'requester');
      const { path, file, contentType } = await exportFileFor(db, config.dataDir, principal, exportId(request.params.id), request.params['*'], now());
      reply.header('content-type', contentType);
      reply.header('content-length', String(file.bytes));
      reply.header('content-disposition', `attachment; filename="${basename(file.name).replace(/[^\w.-]/g, '_')}"`);
      // RFC 9530: the digest of the whole file, so a client can check what it received.
      reply.header('repr-digest', `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`);
      reply.header('x-checksum-sha256', file.sha256);
      return reply.send(createReadStream(path));
    },
  );
};

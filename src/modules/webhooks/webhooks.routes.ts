import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../server/errors.ts';
import { requireRole } from '../accounts/index.ts';
import { resendCallback, rotateWebhookSecret, webhookSecret } from './webhooks.service.ts';

/** The account's webhook secret, and resending a task's callback. */
export const webhooksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, now } = app.services;
  const db = database.db;

  app.get('/v1/webhooks/secret', { schema: { tags: ['webhooks'] } }, async (request) => {
    const principal = requireRole(request, 'requester');
    return { secret: await webhookSecret(db, principal.id, now()) };
  });

  app.post('/v1/webhooks/secret/rotate', { schema: { tags: ['webhooks'] } }, async (request) => {
    const principal = requireRole(request, 'requester');
    return { secret: await rotateWebhookSecret(db, principal.id, now()) };
  });

  app.post('/v1/task/:id/resend_callback', { schema: { tags: ['tasks'], params: Type.Object({ id: Type.String({ maxLength: 40 }) }) } }, async (request) => {
    const principal = requireRole(request, 'requester');
    if (!/^\d{1,15}$/.test(request.params.id)) throw new AppError('task_not_found');
    return resendCallback(database, principal.id, principal.role === 'admin', Number(request.params.id), now());
  });
};

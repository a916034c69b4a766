import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv, type Options as AjvOptions } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Database } from '../db/index.ts';
import { accountsRoutes, authenticate } from '../modules/accounts/index.ts';
import { workRoutes } from '../modules/assignment/index.ts';
import { evaluationRoutes } from '../modules/evaluation/index.ts';
import { exportsRoutes } from '../modules/exports/index.ts';
import { projectsRoutes } from '../modules/projects/index.ts';
import { qualityRoutes } from '../modules/quality/index.ts';
import { batchesRoutes, tasksRoutes } from '../modules/tasks/index.ts';
import { registerWebhookHooks, webhooksRoutes } from '../modules/webhooks/index.ts';
import { ledgerRoutes } from '../modules/ledger/index.ts';
import type { Config } from './env.ts';
import { AppError, renderError } from './errors.ts';

export interface AppDeps {
  config: Readonly<Config>;
  database: Database;
  /** Server time in ms. Injected so tests can move time; never taken from a client. */
  clock?: () => number;
  /** pino options or false. */
  logger?: boolean | object;
  /** Folder with the built web app; served at / when present. */
  webRoot?: string;
}

export interface Services {
  config: Readonly<Config>;
  database: Database;
  now: () => number;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export type App = FastifyInstance;

/**
 * Builds the HTTP app without listening: tests call `inject()` or `listen({ port: 0 })`.
 * Every route has a JSON Schema; every error leaves as `{status_code, code, error: {code, message}}`.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: true,
    requestIdHeader: 'x-request-id',
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Query strings and path params arrive as text and are coerced to the schema's types; bodies are JSON
  // and must already have the right types ("tags": "x" is an error, not ["x"]).
  const strict = schemaCompiler({ coerceTypes: false });
  const coercing = schemaCompiler({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict(schema) : coercing(schema)));

  app.decorate('services', { config: deps.config, database: deps.database, now: deps.clock ?? Date.now });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    if (appError.headers) reply.headers(appError.headers);
    reply.status(appError.status).send(renderError(appError));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!request.url.startsWith('/docs')) {
      // Task images may live on any https host; everything else is our own origin.
      reply.header('content-security-policy', "default-src 'self'; img-src 'self' data: blob: https: http:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    }
    return payload;
  });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Tessera API', version: '1' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          basic: { type: 'http', scheme: 'basic' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'tessera_session' },
        },
      },
      security: [{ bearer: [] }, { basic: [] }, { cookie: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  app.addHook('onRequest', authenticate);

  app.get('/health', { config: { public: true }, schema: { hide: true } }, async () => {
    return { status: 'ok' };
  });

  await app.register(accountsRoutes);
  await app.register(projectsRoutes);
  await app.register(tasksRoutes);
  await app.register(workRoutes);
  await app.register(qualityRoutes);
  await app.register(evaluationRoutes);
  await app.register(exportsRoutes);
  await app.register(batchesRoutes);
  await app.register(webhooksRoutes);
  await app.register(ledgerRoutes);
  registerWebhookHooks();

  const webRoot = deps.webRoot ?? resolve('dist/web');
  const hasWeb = existsSync(join(webRoot, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: webRoot, wildcard: false, index: 'index.html' });

  app.setNotFoundHandler({ preHandler: undefined }, (request, reply) => {
    // The single-page app owns every non-API GET path.
    if (hasWeb && request.method === 'GET' && !request.url.startsWith('/v1/') && !request.url.startsWith('/docs')) {
      return reply.type('text/html').sendFile('index.html');
    }
    reply.status(404).send(renderError(new AppError('route_not_found')));
  });

  return app;
}

function schemaCompiler(options: AjvOptions) {
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: false, strict: false, ...options });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return (schema: object) => ajv.compile(schema);
}

function toAppError(error: FastifyError | AppError): AppError {
  if (error instanceof AppError) return error;
  const e = error as FastifyError;
  if (e.validation) {
    const first = e.validation[0];
    return new AppError('validation_failed', `${e.validationContext ?? 'body'}${first?.instancePath ?? ''} ${first?.message ?? 'is invalid'}`.trim(), {
      errors: e.validation.map((v) => ({ path: v.instancePath, message: v.message, params: v.params })),
    });
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', e.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('unsupported_media_type');
  }
  if (e instanceof SyntaxError) return new AppError('invalid_json', e.message);
  if (typeof e.statusCode === 'number' && e.statusCode < 500) {
    if (e.statusCode === 413) return new AppError('payload_too_large');
    if (e.statusCode === 415) return new AppError('unsupported_media_type');
    return new AppError('bad_request', e.message);
  }
  return new AppError('internal');
}

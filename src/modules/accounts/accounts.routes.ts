import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../server/errors.ts';
import {
  type ApiKeyInfo,
  createApiKey,
  createUser,
  getUser,
  LOCALES,
  listApiKeys,
  listSkills,
  setSkills,
  listUsers,
  login,
  logout,
  revokeApiKey,
  ROLES,
  SESSION_COOKIE,
  type User,
  updateUser,
} from './accounts.service.ts';
import { requireRole } from './auth.hook.ts';

export function presentUser(user: User) {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    display_name: user.displayName,
    languages: user.languages,
    locale: user.locale,
    timezone: user.timezone,
    active: user.active,
    created_at: new Date(user.createdAt).toISOString(),
  };
}

function presentKey(key: ApiKeyInfo) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    test: key.isTest,
    created_at: iso(key.createdAt),
    expires_at: iso(key.expiresAt),
    revoked_at: iso(key.revokedAt),
    last_used_at: iso(key.lastUsedAt),
  };
}

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 8, maxLength: 256 });
const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Language = Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35 });
const Locale = Type.Union(LOCALES.map((l) => Type.Literal(l)));
const Timezone = Type.String({ minLength: 1, maxLength: 64 });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const UserCreateBody = Type.Object(
  {
    email: Email,
    password: Password,
    role: Role,
    display_name: Type.Optional(Type.String({ maxLength: 200 })),
    languages: Type.Optional(Type.Array(Language, { minItems: 1, maxItems: 20 })),
    locale: Type.Optional(Locale),
    timezone: Type.Optional(Timezone),
  },
  { additionalProperties: false },
);

const UserPatchBody = Type.Object(
  {
    role: Type.Optional(Role),
    display_name: Type.Optional(Type.String({ maxLength: 200 })),
    languages: Type.Optional(Type.Array(Language, { minItems: 1, maxItems: 20 })),
    locale: Type.Optional(Locale),
    timezone: Type.Optional(Timezone),
    active: Type.Optional(Type.Boolean()),
    password: Type.Optional(Password),
    skills: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, description: 'Skills and qualifications; replaces the current set' })),
  },
  { additionalProperties: false },
);

const MePatchBody = Type.Object(
  {
    display_name: Type.Optional(Type.String({ maxLength: 200 })),
    languages: Type.Optional(Type.Array(Language, { minItems: 1, maxItems: 20 })),
    locale: Type.Optional(Locale),
    timezone: Type.Optional(Timezone),
  },
  { additionalProperties: false },
);

const ApiKeyCreateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 100 })),
    test: Type.Optional(Type.Boolean()),
    /** Admins may create a key for another user. */
    user_id: Type.Optional(Type.Integer({ minimum: 1 })),
    expires_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

/** Login, sessions, the current user, user administration and API keys. */
export const accountsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, now } = app.services;
  const db = database.db;

  app.post(
    '/v1/auth/login',
    {
      config: { public: true },
      schema: { tags: ['auth'], body: Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 256 }) }, { additionalProperties: false }) },
    },
    async (request, reply) => {
      const { user, token, expiresAt } = await login(db, { email: request.body.email, password: request.body.password, ip: request.ip }, now());
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: request.protocol === 'https',
        expires: new Date(expiresAt),
      });
      return { user: presentUser(user) };
    },
  );

  app.post('/v1/auth/logout', { config: { public: true }, schema: { tags: ['auth'] } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await logout(db, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get('/v1/me', { schema: { tags: ['auth'] } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    return { ...presentUser(principal), api_key_id: principal.apiKeyId, test: principal.isTest };
  });

  app.patch('/v1/me', { schema: { tags: ['auth'], body: MePatchBody } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    const b = request.body;
    const user = await updateUser(db, principal.id, { displayName: b.display_name, languages: b.languages, locale: b.locale, timezone: b.timezone });
    return presentUser(user);
  });

  app.get('/v1/users', { schema: { tags: ['admin'] } }, async (request) => {
    requireRole(request, 'admin');
    return { docs: (await listUsers(db)).map(presentUser) };
  });

  app.post('/v1/users', { schema: { tags: ['admin'], body: UserCreateBody } }, async (request) => {
    requireRole(request, 'admin');
    const b = request.body;
    const user = await createUser(
      db,
      { email: b.email, password: b.password, role: b.role, displayName: b.display_name, languages: b.languages, locale: b.locale, timezone: b.timezone },
      now(),
    );
    return presentUser(user);
  });

  app.patch('/v1/users/:id', { schema: { tags: ['admin'], params: IdParams, body: UserPatchBody } }, async (request) => {
    const admin = requireRole(request, 'admin');
    const b = request.body;
    if (request.params.id === admin.id && (b.active === false || (b.role && b.role !== 'admin'))) {
      throw new AppError('bad_request', 'An admin cannot deactivate or demote themselves');
    }
    const user = await updateUser(db, request.params.id, {
      role: b.role,
      displayName: b.display_name,
      languages: b.languages,
      locale: b.locale,
      timezone: b.timezone,
      active: b.active,
      password: b.password,
    });
    if (b.skills) await setSkills(db, user.id, b.skills, now());
    return { ...presentUser(user), skills: await listSkills(db, user.id) };
  });

  app.get('/v1/api_keys', { schema: { tags: ['auth'], querystring: Type.Object({ user_id: Type.Optional(Type.Integer({ minimum: 1 })) }) } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    const userId = request.query.user_id ?? principal.id;
    if (userId !== principal.id) requireRole(request, 'admin');
    return { docs: (await listApiKeys(db, userId)).map(presentKey) };
  });

  app.post('/v1/api_keys', { schema: { tags: ['auth'], body: ApiKeyCreateBody } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    const b = request.body;
    const userId = b.user_id ?? principal.id;
    if (userId !== principal.id) {
      requireRole(request, 'admin');
      await getUser(db, userId);
    }
    const expiresAt = b.expires_at ? Date.parse(b.expires_at) : null;
    const { key, info } = await createApiKey(db, app.services.config.secret, userId, { name: b.name, test: b.test, expiresAt }, now());
    return { key, ...presentKey(info) };
  });

  app.delete('/v1/api_keys/:id', { schema: { tags: ['auth'], params: IdParams, querystring: Type.Object({ user_id: Type.Optional(Type.Integer({ minimum: 1 })) }) } }, async (request) => {
    const principal = requireRole(request, ...ROLES);
    const userId = request.query.user_id ?? principal.id;
    if (userId !== principal.id) requireRole(request, 'admin');
    await revokeApiKey(db, userId, request.params.id, now());
    return { ok: true };
  });
};

import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../server/errors.ts';
import { countHit } from './rate-limit.ts';
import { findKeyPrincipal, findSessionPrincipal, type Principal, type Role, SESSION_COOKIE } from './accounts.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Route needs no authentication. */
    public?: boolean;
  }
}

/** Reads the API key from `Authorization: Bearer KEY` or Basic with the key as user name. */
function keyFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value.trim();
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? decoded : decoded.slice(0, colon);
  }
  return undefined;
}

/**
 * onRequest hook: resolves the caller from an API key or the session cookie.
 * A presented but bad key is refused outright (invalid_api_key) even on public routes,
 * so a revoked key never silently acts as anonymous.
 */
export async function authenticate(this: import('fastify').FastifyInstance, request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  request.principal = null;
  const { database, config, now } = this.services;
  const key = keyFromHeader(request.headers.authorization);
  if (key) {
    const principal = await findKeyPrincipal(database.db, config.secret, key, now());
    if (!principal) throw new AppError('invalid_api_key');
    request.principal = principal;
    // Per-key limit on the requester API; the work API is paced by claims and leases instead.
    if (config.apiRateLimit > 0 && !request.url.startsWith('/v1/work/')) {
      const hit = await countHit(database.db, `key:${principal.apiKeyId}`, 60_000, now());
      if (hit.count > config.apiRateLimit) throw new AppError('rate_limited', undefined, undefined, { 'retry-after': String(hit.retryAfterSeconds) });
    }
    return;
  }
  const token = request.cookies?.[SESSION_COOKIE];
  if (token) request.principal = (await findSessionPrincipal(database.db, token, now())) ?? null;
  const routeConfig = request.routeOptions.config as { public?: boolean } | undefined;
  if (!request.principal && !routeConfig?.public && request.routeOptions.url?.startsWith('/v1/')) throw new AppError('unauthenticated');
}

/** The caller, who must hold one of `roles` (admin always passes). Throws unauthenticated / forbidden. */
export function requireRole(request: FastifyRequest, ...roles: Role[]): Principal {
  const principal = request.principal;
  if (!principal) throw new AppError('unauthenticated');
  if (principal.role !== 'admin' && !roles.includes(principal.role)) throw new AppError('forbidden');
  return principal;
}

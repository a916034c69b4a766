import type { Principal } from './accounts.service.ts';

/**
 * How long a process trusts an API key's principal without asking the database. A worker's key
 * authenticates every claim, heartbeat and submit; this spares most of those lookups. Revoking a key
 * or changing its user clears it here at once; another node sharing the database sees it within this.
 */
export const KEY_CACHE_MS = 1000;
const MAX_KEYS = 10_000;

// Entries are found by the key as presented, not by its hash: hashing (an HMAC) cost more than the
// rest of a cached lookup. The key is already in this process's memory with every request that sends it.

interface Entry {
  /** The database the principal was read from (a process may serve several, as the tests do). */
  db: object;
  principal: Readonly<Principal>;
  keyId: number;
  expiresAt: number | null;
  readAt: number;
}

const byKey = new Map<string, Entry>();

/** The principal read for this key less than KEY_CACHE_MS ago, if the key has not expired since. */
export function cachedPrincipal(db: object, key: string, now: number): Readonly<Principal> | undefined {
  const entry = byKey.get(key);
  if (!entry || entry.db !== db) return undefined;
  // A clock that went backwards counts as stale too.
  const fresh = now >= entry.readAt && now - entry.readAt < KEY_CACHE_MS && (entry.expiresAt === null || entry.expiresAt > now);
  if (fresh) return entry.principal;
  byKey.delete(key);
  return undefined;
}

export function rememberPrincipal(db: object, key: string, principal: Principal, expiresAt: number | null, now: number): Readonly<Principal> {
  // Oldest first: Map keeps insertion order.
  if (byKey.size >= MAX_KEYS) byKey.delete(byKey.keys().next().value as string);
  const frozen = Object.freeze({ ...principal, languages: Object.freeze([...principal.languages]) as string[] });
  byKey.set(key, { db, principal: frozen, keyId: principal.apiKeyId ?? -1, expiresAt, readAt: now });
  return frozen;
}

/** Forgets every cached key of this user, or this one key. */
export function forgetKeys(which: { userId: number } | { keyId: number }): void {
  for (const [key, entry] of byKey) {
    if ('userId' in which ? entry.principal.id === which.userId : entry.keyId === which.keyId) byKey.delete(key);
  }
}

import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The validated, frozen configuration. The only place in the server that reads process.env. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** postgres://... when set; otherwise SQLite at `${dataDir}/tessera.db`. */
  databaseUrl: string | undefined;
  secret: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  /** Seed the demo project on a fresh database. */
  demo: boolean;
  /** Largest accepted file for one streamed import, in bytes. */
  importMaxBytes: number;
  /** Largest JSON request body, in bytes. */
  bodyLimitBytes: number;
  logLevel: string;
  /** Run background jobs (lease sweeper and the like) in this process. */
  jobs: boolean;
  /** Requests per minute per API key on the requester API (0: unlimited). */
  apiRateLimit: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  problems.push(`${name} must be true or false, got "${raw}"`);
  return fallback;
}

/**
 * Reads the environment once and reports every problem together (throws ConfigError).
 * Creates DATA_DIR when missing and keeps a generated TESSERA_SECRET in it, so sessions
 * survive restarts without the operator having to invent a secret.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const problems: string[] = [];
  // PORT: HTTP port (default 8080). HOST: interface to bind (default 0.0.0.0).
  const port = integer(env, 'PORT', 8080, 0, 65535, problems);
  const host = env.HOST || '0.0.0.0';
  // DATA_DIR: where the SQLite file, the generated secret and export files live (default ./data).
  const dataDir = resolve(env.DATA_DIR || './data');
  // DATABASE_URL: postgres://user@host:port/db switches from SQLite to PostgreSQL.
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL must start with postgres:// or postgresql://, got "${databaseUrl}"`);
  }
  // TESSERA_ADMIN_EMAIL / TESSERA_ADMIN_PASSWORD: the first admin, created on a fresh database.
  const adminEmail = env.TESSERA_ADMIN_EMAIL || undefined;
  const adminPassword = env.TESSERA_ADMIN_PASSWORD || undefined;
  if (adminEmail && !/^[^@\s]+@[^@\s]+$/.test(adminEmail)) problems.push(`TESSERA_ADMIN_EMAIL is not an email address: "${adminEmail}"`);
  if (adminPassword !== undefined && adminPassword.length < 8) problems.push('TESSERA_ADMIN_PASSWORD must be at least 8 characters');
  // TESSERA_DEMO: seed the demo project on a fresh database (default true).
  const demo = flag(env, 'TESSERA_DEMO', true, problems);
  // TESSERA_JOBS: run background jobs in this process (default true).
  const jobs = flag(env, 'TESSERA_JOBS', true, problems);
  // TESSERA_IMPORT_MAX_BYTES: largest import upload (default 1 GiB).
  const importMaxBytes = integer(env, 'TESSERA_IMPORT_MAX_BYTES', 1024 ** 3, 1024, 64 * 1024 ** 3, problems);
  // TESSERA_BODY_LIMIT: largest JSON request body (default 1 MiB).
  const bodyLimitBytes = integer(env, 'TESSERA_BODY_LIMIT', 1024 * 1024, 1024, 256 * 1024 * 1024, problems);
  // TESSERA_API_RATE_LIMIT: requests per minute per API key on the requester API (default 6000; 0 = off).
  const apiRateLimit = integer(env, 'TESSERA_API_RATE_LIMIT', 6000, 0, 10_000_000, problems);
  // LOG_LEVEL: pino level (default info).
  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) problems.push(`LOG_LEVEL is not a pino level: "${logLevel}"`);
  // TESSERA_SECRET: signs nothing the client can forge; hashes API keys and sessions. Generated if absent.
  let secret = env.TESSERA_SECRET || '';
  if (secret && secret.length < 32) problems.push('TESSERA_SECRET must be at least 32 characters');

  if (problems.length) throw new ConfigError(problems);

  if (!secret) secret = readOrCreateSecret(dataDir);
  return Object.freeze({ port, host, dataDir, databaseUrl, secret, adminEmail, adminPassword, demo, importMaxBytes, bodyLimitBytes, logLevel, jobs, apiRateLimit });
}

/** The secret kept in DATA_DIR, made on first use; processes starting at once all keep the first one made. */
function readOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  let secret: string;
  try {
    mkdirSync(dataDir, { recursive: true });
    if (!existsSync(file)) {
      // Written aside and linked into place, so no process ever reads a secret half written.
      const aside = `${file}.${process.pid}`;
      writeFileSync(aside, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
      try {
        linkSync(aside, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        unlinkSync(aside);
      }
    }
    secret = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigError([`DATA_DIR cannot keep the generated secret (${(error as Error).message}): point DATA_DIR at a writable folder, or set TESSERA_SECRET`]);
  }
  // Every API key and session is hashed with it: a new one would silently lock everyone out.
  if (secret.length < 32) throw new ConfigError([`${file} holds fewer than 32 characters: restore it from a backup, or set TESSERA_SECRET`]);
  return secret;
}

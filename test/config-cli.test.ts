import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/server/env.ts';

const run = promisify(execFile);
const tessera = join(process.cwd(), 'bin/tessera');

describe('configuration', () => {
  it('reports every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TESSERA_SECRET: 'short', TESSERA_DEMO: 'maybe' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.join('\n')).toMatch(/PORT.*DATABASE_URL.*TESSERA_DEMO.*TESSERA_SECRET/s);
    }
  });

  it('generates a secret once and keeps it in DATA_DIR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cfg-'));
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.secret).toHaveLength(64);
    expect(second.secret).toBe(first.secret);
    expect(readFileSync(join(dir, 'secret'), 'utf8').trim()).toBe(first.secret);
    expect(first).toMatchObject({ port: 8080, databaseUrl: undefined, demo: true });
  });

  it('says what to do when DATA_DIR cannot keep the secret, or the kept one is damaged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cfg-'));
    writeFileSync(join(dir, 'a-file'), '');
    expect(() => loadConfig({ DATA_DIR: join(dir, 'a-file', 'data') })).toThrow(/DATA_DIR cannot keep the generated secret \(ENOTDIR.*point DATA_DIR at a writable folder, or set TESSERA_SECRET/);
    writeFileSync(join(dir, 'secret'), 'short\n');
    expect(() => loadConfig({ DATA_DIR: dir })).toThrow(/secret holds fewer than 32 characters: restore it from a backup, or set TESSERA_SECRET/);
    expect(readFileSync(join(dir, 'secret'), 'utf8')).toBe('short\n');
    expect(loadConfig({ DATA_DIR: dir, TESSERA_SECRET: 'x'.repeat(32) }).secret).toBe('x'.repeat(32));
  });
});

describe('the CLI', () => {
  it('creates a user, an API key, a project, and imports a file with a summary of bad lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    const env = { ...process.env, DATA_DIR: dir, DATABASE_URL: '' };
    await run(tessera, ['migrate'], { env });
    const user = await run(tessera, ['user', 'create', '--email', 'req@example.test', '--role', 'requester', '--password', 'password123'], { env });
    expect(user.stdout).toMatch(/created requester req@example.test/);
    const key = (await run(tessera, ['apikey', 'create', '--email', 'req@example.test'], { env })).stdout.trim();
    expect(key).toMatch(/^live_[A-Za-z0-9_-]{32}$/);
    await run(tessera, ['project', 'create', '--name', 'cli-proj', '--type', 'categorization', '--owner', 'req@example.test', '--params', '{"categories":["a","b"]}'], { env });
    const file = join(dir, 'tasks.jsonl');
    writeFileSync(file, '{"unique_id":"1","attachments":[]}\n{oops\n{"unique_id":"2","attachments":[]}\n');
    const imported = await run(tessera, ['import', file, '--project', 'cli-proj', '--quiet'], { env });
    expect(imported.stdout).toMatch(/3 rows: 2 imported, 0 already there, 1 failed/);
    expect(imported.stdout).toMatch(/line 2: invalid_json/);
    const again = await run(tessera, ['import', file, '--project', 'cli-proj', '--quiet'], { env });
    expect(again.stdout).toMatch(/3 rows: 0 imported, 2 already there, 1 failed/);
    const bad = await run(tessera, ['user', 'create', '--email', 'x@example.test', '--role', 'emperor', '--password', 'password123'], { env }).catch((e) => e);
    expect(bad.code).not.toBe(0);
    const missing = await run(tessera, ['import', join(dir, 'nope.jsonl'), '--project', 'cli-proj'], { env }).catch((e) => e);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/invalid_import: no such file/);
  }, 60_000);
});

/** A port some other program already listens on (the caller closes it). */
async function portInUse(): Promise<{ port: number; close: () => void }> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { port: (server.address() as { port: number }).port, close: () => server.close() };
}

/** `bin/tessera serve` until it answers /health (or exits): its output so far, and a way to stop it. */
async function serve(env: NodeJS.ProcessEnv, cwd: string, port: number) {
  const child = spawn(tessera, ['serve'], { env: { ...env, PORT: String(port) }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) }).catch(() => null))?.ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { output: () => out, exited, stop: () => child.kill('SIGKILL') };
}

async function login(port: number, email: string, password: string): Promise<{ status: number; cookie: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  return { status: res.status, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] };
}

describe("the first start's passwords", () => {
  it('are printed before the server listens, and `user password` sets a new one that signs out the old sessions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-first-'));
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, DATABASE_URL: '', TESSERA_DEMO: 'false', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
    delete env.TESSERA_ADMIN_EMAIL;
    delete env.TESSERA_ADMIN_PASSWORD;
    // A first start that cannot listen (the port is taken) says so, and has still shown the passwords it made.
    const taken = await portInUse();
    const failed = await serve(env, dir, taken.port);
    expect(await failed.exited).toBe(2);
    taken.close();
    expect(failed.output()).toContain(`PORT ${taken.port} is in use (127.0.0.1:${taken.port}): stop what listens there, or set PORT to another port`);
    expect(failed.output()).not.toMatch(/\n\s+at /);
    const first = failed.output().match(/admin: +admin@tessera\.local +password: (\S+)/)?.[1];
    expect(first, failed.output()).toMatch(/^[A-Za-z0-9_-]{12}$/);

    const free = await portInUse();
    free.close();
    const port = free.port;
    const server = await serve(env, dir, port);
    try {
      // Later starts show no password: the admin exists.
      expect(server.output()).not.toMatch(/password:/);
      const session = await login(port, 'admin@tessera.local', first as string);
      expect(session.status).toBe(200);
      const me = () => fetch(`http://127.0.0.1:${port}/v1/me`, { headers: { cookie: session.cookie } }).then((r) => r.status);
      expect(await me()).toBe(200);

      const reset = await run(tessera, ['user', 'password', '--email', 'admin@tessera.local'], { env, cwd: dir });
      const second = reset.stdout.match(/admin@tessera\.local +password: (\S+)/)?.[1];
      expect(second).toMatch(/^[A-Za-z0-9_-]{12}$/);
      expect(second).not.toBe(first);
      expect(await me()).toBe(401);
      expect((await login(port, 'admin@tessera.local', first as string)).status).toBe(401);
      expect((await login(port, 'admin@tessera.local', second as string)).status).toBe(200);

      await run(tessera, ['user', 'password', '--email', 'admin@tessera.local', '--password', 'chosen-by-hand'], { env, cwd: dir });
      expect((await login(port, 'admin@tessera.local', 'chosen-by-hand')).status).toBe(200);
      // Bad input changes nothing: an unknown email, a short password.
      const unknown = await run(tessera, ['user', 'password', '--email', 'nobody@example.test'], { env, cwd: dir }).catch((e) => e);
      expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/user_not_found/)]);
      const short = await run(tessera, ['user', 'password', '--email', 'admin@tessera.local', '--password', 'short'], { env, cwd: dir }).catch((e) => e);
      expect([short.code, short.stderr]).toEqual([2, expect.stringMatching(/validation_failed/)]);
      expect((await login(port, 'admin@tessera.local', 'chosen-by-hand')).status).toBe(200);
    } finally {
      server.stop();
    }
  }, 120_000);

  it('come again after a first start stopped while it seeded: it left nothing behind, and the next start seeds the demo whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-first-'));
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, DATABASE_URL: '', TESSERA_DEMO: 'true', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
    delete env.TESSERA_ADMIN_EMAIL;
    delete env.TESSERA_ADMIN_PASSWORD;
    const free = await portInUse();
    free.close();
    const port = free.port;

    // Killed once its first users are written, wherever it writes them, and before it printed their passwords.
    const child = spawn(tessera, ['serve'], { env: { ...env, PORT: String(port) }, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise((r) => child.once('exit', r));
    const usersIn = (file: string) => {
      if (!existsSync(file)) return 0;
      try {
        const raw = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
        try {
          return (raw.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
        } finally {
          raw.close();
        }
      } catch {
        return 0; // not migrated that far yet
      }
    };
    const files = () => readdirSync(dir);
    for (let i = 0; i < 6000 && child.exitCode === null; i++) {
      if (files().some((f) => f.startsWith('tessera.db') && !f.endsWith('-wal') && !f.endsWith('-shm') && usersIn(join(dir, f)) > 0)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    await exited;
    expect(out, 'the kill came after the first start had finished').not.toMatch(/First start/);

    const server = await serve(env, dir, port);
    try {
      const output = server.output();
      const admin = output.match(/admin: +admin@tessera\.local +password: (\S+)/)?.[1];
      const worker = output.match(/worker: +worker@tessera\.local +password: (\S+)/)?.[1];
      expect([admin, worker], output).toEqual([expect.stringMatching(/^[A-Za-z0-9_-]{12}$/), expect.stringMatching(/^[A-Za-z0-9_-]{12}$/)]);
      expect((await login(port, 'admin@tessera.local', admin as string)).status).toBe(200);
      const session = await login(port, 'worker@tessera.local', worker as string);
      expect(session.status).toBe(200);
      const open = (await fetch(`http://127.0.0.1:${port}/v1/work/projects`, { headers: { cookie: session.cookie } }).then((r) => r.json())) as { docs: Array<{ name: string; available: number }> };
      const demo = open.docs.find((p) => p.name === 'demo-review-sentiment');
      expect(demo?.available).toBe(36);
      expect(open.docs.map((p) => p.name)).toContain('demo-model-arena');
      expect(readdirSync(dir).filter((f) => f.includes('first-start'))).toEqual([]);
    } finally {
      server.stop();
    }
  }, 120_000);
});

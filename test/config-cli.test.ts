import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

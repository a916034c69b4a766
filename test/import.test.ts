import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase } from '../src/db/index.ts';
import { STATISTICS_AFTER_ROWS } from '../src/modules/tasks/import.service.ts';
import { createUser } from '../src/modules/accounts/index.ts';
import { createProject } from '../src/modules/projects/index.ts';
import { buildProject, dialects, unique, jsonlTasks, makeActor, startTestApp, type TestApp, type Actor } from './helpers/harness.ts';

describe.each(dialects)('import on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  beforeAll(async () => {
    t = await startTestApp(dialect, { config: { importMaxBytes: 64 * 1024 * 1024 } });
    requester = await makeActor(t, 'requester');
  });
  afterAll(() => t.close());

  async function project(overrides: Record<string, unknown> = {}) {
    const res = await t.app.inject({ method: 'POST', url: '/v1/projects', headers: requester.auth, payload: buildProject(overrides) });
    return res.json().name as string;
  }
  const upload = (name: string, body: string, query = 'format=jsonl', actor: Actor = requester) =>
    t.app.inject({ method: 'POST', url: `/v1/projects/${name}/import?${query}`, headers: { ...actor.auth, 'content-type': 'application/octet-stream' }, payload: body });
  const total = async (name: string) => (await t.app.inject({ url: `/v1/tasks?project=${name}&limit=1`, headers: requester.auth })).json().total as number;

  it('imports JSONL, and importing the same file again adds nothing', async () => {
    const name = await project();
    const file = jsonlTasks(2500, 0, name);
    const first = (await upload(name, file)).json();
    expect(first).toMatchObject({ rows: 2500, inserted: 2500, existing: 0, failed: 0, file_error: null });
    const again = (await upload(name, file)).json();
    expect(again).toMatchObject({ rows: 2500, inserted: 0, existing: 2500, failed: 0 });
    expect(await total(name)).toBe(2500);
  });

  it('keys rows without unique_id by content, so their re-import adds nothing either', async () => {
    const name = await project();
    const file = ['a', 'b', 'c'].map((x) => JSON.stringify({ attachments: [{ type: 'text', content: x }] })).join('\n');
    expect((await upload(name, file)).json().inserted).toBe(3);
    expect((await upload(name, file)).json()).toMatchObject({ inserted: 0, existing: 3 });
    expect(await total(name)).toBe(3);
  });

  it('reports a malformed JSON line by number while the good rows land', async () => {
    const name = await project();
    const file = `${jsonlTasks(2, 0, name)}{"unique_id": "broken", \n${jsonlTasks(2, 2, name)}[1,2]\n`;
    const summary = (await upload(name, file)).json();
    expect(summary).toMatchObject({ rows: 6, inserted: 4, failed: 2 });
    expect(summary.errors).toEqual([
      expect.objectContaining({ line: 3, code: 'invalid_json' }),
      expect.objectContaining({ line: 6, code: 'invalid_row' }),
    ]);
    expect(await total(name)).toBe(4);
  });

  it('reports rows whose params do not match the type, with the field', async () => {
    const name = await project();
    const file = [
      JSON.stringify({ unique_id: 'ok', attachments: [] }),
      JSON.stringify({ unique_id: 'bad-cats', categories: ['one'] }),
      JSON.stringify({ unique_id: 'bad-field', colour: 'red' }),
      JSON.stringify({ unique_id: 'bad-priority', priority: 'high' }),
      JSON.stringify({ unique_id: 'bad-gold', gold: 'whale' }),
      JSON.stringify({ unique_id: 'good-gold', gold: 'dog', explanation: 'barks' }),
    ].join('\n');
    const summary = (await upload(name, file)).json();
    expect(summary.inserted).toBe(2);
    expect(summary.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([
      [2, 'invalid_params'],
      [3, 'invalid_params'],
      [4, 'invalid_row'],
      [5, 'invalid_expected_response'],
    ]);
    const gold = (await t.app.inject({ url: `/v1/tasks?project=${name}&unique_id=good-gold`, headers: requester.auth })).json().docs[0];
    expect(gold).toMatchObject({ is_gold: true, expected_response: { category: 'dog' }, explanation: 'barks' });
  });

  it('reports duplicate unique_ids inside one file and across files', async () => {
    const name = await project();
    const one = `${jsonlTasks(3, 0, name)}${jsonlTasks(1, 1, name)}`;
    const first = (await upload(name, one)).json();
    expect(first).toMatchObject({ inserted: 3, failed: 1 });
    expect(first.errors).toEqual([expect.objectContaining({ line: 4, code: 'duplicate_unique_id' })]);
    const second = (await upload(name, jsonlTasks(2, 2, name))).json();
    expect(second).toMatchObject({ inserted: 1, existing: 1 });
    expect(second.errors).toEqual([]);
    expect(second.skipped).toEqual([expect.objectContaining({ line: 1, code: 'unique_id_exists', task_id: expect.any(String) })]);
    expect(await total(name)).toBe(4);
  });

  it('imports CSV with metadata columns and reports a row missing a column', async () => {
    const name = await project();
    const csv = 'unique_id,attachment,metadata.source,tags,priority\nc1,"a cat, sleeping",zoo,pets;cute,2\nc2,a dog\nc3,"a ""bird""",park,,0\n';
    const summary = (await upload(name, csv, 'format=csv')).json();
    expect(summary).toMatchObject({ rows: 3, inserted: 2, failed: 1 });
    expect(summary.errors[0]).toMatchObject({ line: 3, code: 'csv_column_count' });
    const docs = (await t.app.inject({ url: `/v1/tasks?project=${name}`, headers: requester.auth })).json().docs;
    expect(docs[0]).toMatchObject({ unique_id: 'c1', attachments: [{ type: 'text', content: 'a cat, sleeping' }], metadata: { source: 'zoo' }, tags: ['pets', 'cute'], priority: 2 });
    expect(docs[1].attachments[0].content).toBe('a "bird"');
  });

  it('reports CSV rows that lack a field the type needs', async () => {
    const name = await project({ type: 'namedentityrecognition', params: { labels: ['PER'] } });
    const csv = 'unique_id,title\nn1,no text column here\n';
    const summary = (await upload(name, csv, 'format=csv')).json();
    expect(summary.errors[0]).toMatchObject({ line: 2, code: 'invalid_params' });
    expect(summary.inserted).toBe(0);
  });

  it('imports a JSON array with line numbers for bad elements', async () => {
    const name = await project();
    const file = `[\n  {"unique_id": "j1", "attachments": []},\n  {"unique_id": "j2", "categories": ["x"]},\n  {"unique_id": "j3",\n   "attachments": [{"type": "text", "content": "multi, line } ]"}]}\n]`;
    const summary = (await upload(name, file, 'format=json')).json();
    expect(summary).toMatchObject({ rows: 3, inserted: 2, failed: 1, file_error: null });
    expect(summary.errors[0]).toMatchObject({ line: 3, code: 'invalid_params' });
    const notArray = (await upload(name, '{"unique_id": "x"}', 'format=json')).json();
    expect(notArray.file_error).toMatch(/array/);
  });

  it('streams progress events when asked', async () => {
    const name = await project();
    const res = await upload(name, jsonlTasks(25_000, 0, name), 'format=jsonl&progress=true');
    const events = res.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.event === 'progress').length).toBeGreaterThanOrEqual(3);
    expect(events.at(-1)).toMatchObject({ event: 'done', inserted: 25_000 });
  });

  it('refuses unknown projects, unknown formats, and other accounts', async () => {
    const name = await project();
    expect((await upload('no-such-project', jsonlTasks(1))).json().code).toBe('project_not_found');
    expect((await upload(name, jsonlTasks(1), '')).json().code).toBe('unsupported_media_type');
    const stranger = await makeActor(t, 'requester');
    expect((await upload(name, jsonlTasks(1), 'format=jsonl', stranger)).json().code).toBe('project_not_found');
    const worker = await makeActor(t, 'worker');
    expect((await upload(name, jsonlTasks(1), 'format=jsonl', worker)).json().code).toBe('forbidden');
    expect(await total(name)).toBe(0);
  });

  it('rejects a 2 GB upload before reading it, and an upload without a length', async () => {
    const name = await project();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const send = (headers: Record<string, string | number>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: `/v1/projects/${name}/import?format=jsonl`, headers: { ...requester.auth, ...headers } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.write(jsonlTasks(10));
        // Never send the rest: the server must answer from the headers alone.
        if (!('content-length' in headers)) req.end();
      });
    const big = await send({ 'content-length': 2 * 1024 ** 3 });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).code).toBe('payload_too_large');
    const chunked = await send({ 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(411);
    expect(await total(name)).toBe(0);
  });

  // Without statistics PostgreSQL plans the work queue's statements over a fresh table blind (and its
  // autovacuum may be off, or a minute away): a large import refreshes them itself.
  if (dialect === 'postgres') {
    it(`refreshes the table's statistics after an import of ${STATISTICS_AFTER_ROWS} tasks or more`, async () => {
      const analyzed = async () => Number((await sql<{ n: string }>`SELECT analyze_count AS n FROM pg_stat_user_tables WHERE relname = 'tasks'`.execute(t.database.db)).rows[0].n);
      const name = await project();
      const before = await analyzed();
      expect((await upload(name, jsonlTasks(STATISTICS_AFTER_ROWS - 1, 0, name))).json().inserted).toBe(STATISTICS_AFTER_ROWS - 1);
      expect(await analyzed()).toBe(before);
      expect((await upload(name, jsonlTasks(STATISTICS_AFTER_ROWS, STATISTICS_AFTER_ROWS, name))).json().inserted).toBe(STATISTICS_AFTER_ROWS);
      expect(await analyzed()).toBe(before + 1);
    });
  }
});

describe.each(dialects)('a killed import on %s', (dialect) => {
  it('loses nothing and doubles nothing when the process is killed and the import re-run', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-kill-'));
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, TESSERA_SECRET: 'kill-test-secret-kill-test-secret-000' };
    if (dialect === 'postgres') env.DATABASE_URL = inject('pgUrl') ?? '';
    else delete env.DATABASE_URL;
    const database = dialect === 'postgres' ? openDatabase({ postgresUrl: env.DATABASE_URL as string }) : openDatabase({ sqliteFile: join(dataDir, 'tessera.db') });
    await migrateToLatest(database);
    const owner = await createUser(database.db, { email: `${unique('kill')}@example.test`, password: 'password123', role: 'requester' }, Date.now());
    const project = await createProject(database.db, { ...owner, apiKeyId: null, isTest: false }, buildProject() as { name: string; type: string }, Date.now());
    const file = join(dataDir, 'tasks.jsonl');
    const n = 300_000;
    writeFileSync(file, jsonlTasks(n));
    const count = async () => Number((await database.db.selectFrom('tasks').select((eb) => eb.fn.countAll().as('n')).where('project_id', '=', project.id).executeTakeFirstOrThrow()).n);
    const run = (killWhenAbove?: number) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(join(process.cwd(), 'bin/tessera'), ['import', file, '--project', project.name, '--quiet'], { env, stdio: 'ignore' });
        let timer: NodeJS.Timeout | undefined;
        if (killWhenAbove !== undefined) {
          timer = setInterval(async () => {
            if ((await count()) > killWhenAbove) child.kill('SIGKILL');
          }, 20);
        }
        child.on('exit', (code) => {
          clearInterval(timer);
          resolve(code);
        });
      });
    await run(0);
    const afterKill = await count();
    expect(afterKill).toBeGreaterThan(0);
    expect(afterKill).toBeLessThan(n);
    expect(await run()).toBe(0);
    expect(await count()).toBe(n);
    const distinct = await database.db.selectFrom('tasks').select((eb) => eb.fn.count('unique_id').distinct().as('n')).where('project_id', '=', project.id).executeTakeFirstOrThrow();
    expect(Number(distinct.n)).toBe(n);
    const counter = await database.db.selectFrom('project_task_count_stripes').select((eb) => eb.fn.sum<number | string>('n').as('n')).where('project_id', '=', project.id).where('status', '=', 'pending').executeTakeFirstOrThrow();
    expect(Number(counter.n)).toBe(n);
    await database.dialect.close();
  }, 180_000);
});

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { strFromU8, unzipSync } from 'fflate';
import { sql } from 'kysely';
import { readParquet } from 'parquet-wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExportCommand } from '../src/cli/commands/export.ts';
import type { Database } from '../src/db/index.ts';
import { up as exportsMigration } from '../src/db/migrations/0005-exports.ts';
import { exportErrors, exportsRoutes, runExport } from '../src/modules/exports/index.ts';
import { insertExport, updateExport } from '../src/modules/exports/export.repository.ts';
import { buildApp } from '../src/server/app.ts';
import { errorCatalog } from '../src/server/errors.ts';
import { type Actor, buildProject, type Dialect, dialects, makeActor, makeWorkers, openTestDatabase, type TestApp, testClock, testConfig, unique } from './helpers/harness.ts';

/** Creates the exports table when the migration list does not have 0005-exports yet. */
async function ensureExportsTable(database: Database): Promise<void> {
  try {
    await sql`select id from exports where 1 = 0`.execute(database.db);
  } catch {
    await exportsMigration(database.db as never, database.dialect);
  }
}

/** startTestApp, plus the exports routes when src/server/app.ts does not register them yet. */
async function startExportsApp(dialect: Dialect): Promise<TestApp> {
  const database = await openTestDatabase(dialect);
  await ensureExportsTable(database);
  const config = testConfig();
  const clock = testClock();
  const app = await buildApp({ config, database, clock, webRoot: join(config.dataDir, 'no-web') });
  if (!app.hasRoute({ method: 'POST', url: '/v1/exports' })) await app.register(exportsRoutes);
  await app.ready();
  return {
    app,
    database,
    config,
    clock,
    async close() {
      await app.close();
      await database.dialect.close();
    },
  };
}

type Reply = { statusCode: number; json(): any; body: string; rawPayload: Buffer; headers: Record<string, unknown> };

/** Asserts an export error by its stable code (or, while the catalog lacks it, by its documented fallback). */
function expectError(res: Reply, code: keyof typeof exportErrors | keyof typeof errorCatalog): void {
  const body = res.json();
  if (Object.hasOwn(exportErrors, code) && !Object.hasOwn(errorCatalog, code)) {
    const fallback = exportErrors[code as keyof typeof exportErrors].fallback;
    expect([res.statusCode, body.code, body.error.details?.reason], res.body).toEqual([errorCatalog[fallback].status, fallback, code]);
  } else {
    const status = Object.hasOwn(errorCatalog, code) ? errorCatalog[code as keyof typeof errorCatalog].status : exportErrors[code as keyof typeof exportErrors].status;
    expect([res.statusCode, body.code], res.body).toEqual([status, code]);
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const lines = (bytes: Buffer) => bytes.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe.each(dialects)('dataset exports on %s', (dialect) => {
  let t: TestApp;
  let requester: Actor;
  let other: Actor;
  let workers: Actor[];
  beforeAll(async () => {
    t = await startExportsApp(dialect);
    requester = await makeActor(t, 'requester');
    other = await makeActor(t, 'requester');
    workers = await makeWorkers(t, 4);
  });
  afterAll(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, actor: Actor, payload?: unknown) =>
    t.app.inject({ method, url, headers: actor.auth, ...(payload !== undefined && { payload: payload as object }) }) as unknown as Promise<Reply>;

  async function project(type: string, overrides: Record<string, unknown>, tasks: Record<string, unknown>[]) {
    const body = buildProject({ type, ...overrides });
    const created = await call('POST', '/v1/projects', requester, body);
    expect(created.statusCode, created.body).toBe(200);
    const ids: string[] = [];
    for (const task of tasks) {
      const res = await call('POST', `/v1/task/${type}`, requester, { project: body.name, ...task });
      expect(res.statusCode, res.body).toBe(200);
      ids.push(res.json().task_id);
    }
    return { name: body.name as string, ids };
  }

  /** One worker claims the next task of the project and submits `response(task)`. */
  async function answer(name: string, worker: Actor, response: (task: { id: string; params: Record<string, any> }) => unknown) {
    const claim = await call('POST', `/v1/work/projects/${name}/claim`, worker);
    expect(claim.statusCode, claim.body).toBe(200);
    const a = claim.json().assignment;
    const res = await call('POST', `/v1/work/assignments/${a.id}/submit`, worker, { response: response(a.task) });
    expect(res.statusCode, res.body).toBe(200);
    return a.task.id as string;
  }

  async function exportOf(body: Record<string, unknown>, actor = requester) {
    const res = await call('POST', '/v1/exports', actor, body);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'queued' });
    const id = res.json().export_id as string;
    for (let i = 0; i < 500; i++) {
      const state = (await call('GET', `/v1/exports/${id}`, actor)).json();
      if (state.status === 'done' || state.status === 'failed') return state;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`export ${id} did not finish`);
  }

  /** Downloads a file of a finished export and checks its size and digest against the export. */
  async function download(state: { export_id: string; files: { name: string; url: string; bytes: number; sha256: string }[] }, name: string): Promise<Buffer> {
    const file = state.files.find((f) => f.name === name);
    expect(file, `no file ${name}`).toBeDefined();
    const res = await call('GET', file!.url, requester);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.rawPayload.length).toBe(file!.bytes);
    expect(sha256(res.rawPayload)).toBe(file!.sha256);
    expect(res.headers['x-checksum-sha256']).toBe(file!.sha256);
    return res.rawPayload;
  }

  it('exports completed tasks as JSONL, each line what GET /v1/task/{id} returns, with a matching digest', async () => {
    const p = await project('categorization', {}, [1, 2, 3].map((i) => ({ unique_id: `c${i}`, attachments: [{ type: 'text', content: `item ${i}` }], metadata: { lang: i === 1 ? 'fr' : 'en' } })));
    const done = [await answer(p.name, workers[0], () => ({ category: 'dog' })), await answer(p.name, workers[0], () => ({ category: 'cat' }))];
    const state = await exportOf({ project: p.name, format: 'jsonl' });
    expect(state).toMatchObject({ status: 'done', format: 'jsonl', project: p.name, rows: 2, skipped: 0, progress: 1, error: null });
    expect(state.files.map((f: { name: string }) => f.name)).toEqual(['export.jsonl']);
    const bytes = await download(state, 'export.jsonl');
    expect(state.sha256).toBe(sha256(bytes));
    expect(state.bytes).toBe(bytes.length);
    expect(bytes.toString('utf8').endsWith('\n')).toBe(true);
    const got = lines(bytes);
    expect(got.map((l) => l.task_id)).toEqual(done);
    for (const line of got) expect(line).toEqual((await call('GET', `/v1/task/${line.task_id}`, requester)).json());

    // The command line writes the same bytes with the same writers.
    const out = join(t.config.dataDir, 'cli', 'tasks.jsonl');
    const cli = await runExportCommand(t.database, { project: p.name, format: 'jsonl', out, quiet: true });
    expect([cli.rows, cli.files[0].sha256]).toEqual([2, state.sha256]);
    expect(sha256(readFileSync(out))).toBe(state.sha256);

    const csv = await exportOf({ project: p.name, format: 'csv' });
    const text = (await download(csv, 'export.csv')).toString('utf8');
    const [header, ...rows] = text.trimEnd().split('\r\n');
    expect(header).toBe('id,unique_id,answer,confidence,n_answers,metadata.lang');
    expect(rows.map((r) => r.split(',').slice(0, 3).join(','))).toEqual([`${done[0]},c1,dog`, `${done[1]},c2,cat`]);
    expect(rows.map((r) => r.split(',')[5])).toEqual(['fr', 'en']);
  });

  it('exports pending tasks, one batch, or tasks completed since a time when asked', async () => {
    const p = await project('categorization', {}, [{ batch: 'b1', attachments: [] }, { batch: 'b2', attachments: [] }, { batch: 'b2', attachments: [] }]);
    await answer(p.name, workers[1], () => ({ category: 'dog' }));
    expect((await exportOf({ project: p.name, format: 'jsonl', filters: { status: 'pending' } })).rows).toBe(2);
    expect((await exportOf({ project: p.name, format: 'jsonl', filters: { status: 'pending', batch: 'b2' } })).rows).toBe(2);
    expect((await exportOf({ project: p.name, format: 'jsonl', filters: { batch: 'b1' } })).rows).toBe(1);
    expect((await exportOf({ batch: 'b1', format: 'jsonl' })).rows).toBe(1);
    const later = new Date(t.clock() + 60_000).toISOString();
    expect((await exportOf({ project: p.name, format: 'jsonl', filters: { completed_since: later } })).rows).toBe(0);
    expect((await exportOf({ project: p.name, format: 'jsonl', filters: { completed_since: new Date(t.clock() - 60_000).toISOString() } })).rows).toBe(1);
  });

  it('filters on the stored result confidence and on reviewer decisions', async () => {
    const p = await project('categorization', {}, [{ attachments: [], responses_required: 3, unique_id: 'sure' }, { attachments: [], unique_id: 'unsure' }]);
    // Three agreeing answers give a confident result; one answer from an unproven worker does not.
    for (const w of workers.slice(0, 3)) await answer(p.name, w, () => ({ category: 'bird' }));
    await answer(p.name, workers[3], () => ({ category: 'bird' }));
    const confident = await exportOf({ project: p.name, format: 'jsonl', filters: { min_confidence: 0.9 } });
    expect(lines(await download(confident, 'export.jsonl')).map((l) => l.unique_id)).toEqual(['sure']);
    expect(confident.skipped).toBe(1);

    const reviewed = await project('categorization', { review_policy: { mode: 'all' } }, [{ attachments: [], unique_id: 'r1' }]);
    const id = await answer(reviewed.name, workers[0], () => ({ category: 'cat' }));
    expect((await call('POST', `/v1/review/tasks/${id}`, requester, { action: 'accept' })).statusCode).toBe(200);
    await call('POST', `/v1/projects/${reviewed.name}/setParams`, requester, { review_policy: { mode: 'none' } });
    await call('POST', '/v1/task/categorization', requester, { project: reviewed.name, attachments: [], unique_id: 'r2' });
    await answer(reviewed.name, workers[1], () => ({ category: 'cat' }));
    expect((await exportOf({ project: reviewed.name, format: 'jsonl' })).rows).toBe(2);
    const only = await exportOf({ project: reviewed.name, format: 'jsonl', filters: { only_reviewed: true } });
    expect(lines(await download(only, 'export.jsonl')).map((l) => l.unique_id)).toEqual(['r1']);
  });

  it('takes chosen from the voted response id, whatever side it was shown on, and one arena battle per vote', async () => {
    const responses = [
      { id: 'a', model: 'model-alpha', messages: [{ role: 'assistant', content: 'Light into sugar.' }] },
      { id: 'b', model: 'model-beta', messages: [{ role: 'assistant', content: 'No idea.' }] },
    ];
    const prompt = [{ role: 'user', content: 'What is photosynthesis?' }];
    const p = await project('comparison', { params: {}, overlap: { min: 2 } }, [{ prompt, responses, allow_tie: true }, { prompt, responses, allow_tie: true }]);
    // Both workers saw b on the left and a on the right, and both chose a.
    for (const w of workers.slice(0, 2)) {
      await answer(p.name, w, () => ({ winner: 'a', display_order: ['b', 'a'] }));
      await answer(p.name, w, () => ({ winner: 'tie', display_order: ['a', 'b'] }));
    }
    const trl = await exportOf({ project: p.name, format: 'trl_preference' });
    const [pair] = lines(await download(trl, 'export.jsonl'));
    expect(trl.rows).toBe(1);
    expect(pair).toEqual({ prompt, chosen: responses[0].messages, rejected: responses[1].messages });
    const withTies = await exportOf({ project: p.name, format: 'trl_preference', options: { include_ties: true } });
    expect(lines(await download(withTies, 'export.jsonl')).map((l) => l.outcome)).toEqual(['preferred', 'tie']);

    const arena = await exportOf({ project: p.name, format: 'arena_battles' });
    const battles = lines(await download(arena, 'export.jsonl'));
    expect(battles.map((b) => [b.model_a, b.model_b, b.winner])).toEqual([
      ['model-alpha', 'model-beta', 'model_a'],
      ['model-alpha', 'model-beta', 'model_a'],
      ['model-alpha', 'model-beta', 'tie'],
      ['model-alpha', 'model-beta', 'tie'],
    ]);
    expect(new Set(battles.map((b) => b.judge)).size).toBe(2);

    const hf = await exportOf({ project: p.name, format: 'hf_dataset' });
    expect(hf.files.map((f: { name: string }) => f.name)).toEqual(['data/train-00000-of-00001.parquet', 'README.md']);
    const table = tableFromIPC(readParquet(new Uint8Array(await download(hf, 'data/train-00000-of-00001.parquet'))).intoIPCStream());
    expect(table.numRows).toBe(2);
    expect(String(table.schema.fields.find((f) => f.name === 'chosen')?.type)).toBe('List<Struct<{role:Utf8, content:Utf8}>>');
    expect(JSON.parse(JSON.stringify(table.getChild('chosen')?.get(0)))).toEqual(responses[0].messages);
    expect((await download(hf, 'README.md')).toString('utf8')).toContain('  - split: train\n    path: data/train-*\n');
  });

  it('exports boxes drawn in the workbench as COCO and YOLO with converted coordinates', async () => {
    // The task API reads `attachment` as a common field, so the image type's own `attachment` is a
    // project preset and each task carries its image as an attachment.
    const p = await project('imageannotation', { params: { attachment: '/preset.jpg', geometries: { box: { objects_to_annotate: ['car', 'person'] } } } }, [
      { attachments: [{ type: 'image', content: 'https://img.test/street.jpg' }], image_width: 640, image_height: 480 },
      { attachments: [{ type: 'image', content: 'https://img.test/nosize.jpg' }] },
    ]);
    const box = { type: 'box', label: 'person', left: 100, top: 50, width: 200, height: 100 };
    await answer(p.name, workers[0], () => ({ annotations: [box] }));
    await answer(p.name, workers[0], () => ({ annotations: [box] }));
    const coco = await exportOf({ project: p.name, format: 'coco' });
    const doc = JSON.parse((await download(coco, 'export.json')).toString('utf8'));
    expect(doc.images).toEqual([{ id: 1, width: 640, height: 480, file_name: 'street.jpg' }]);
    expect(doc.annotations).toEqual([{ id: 1, image_id: 1, category_id: 2, bbox: [100, 50, 200, 100], area: 20000, segmentation: [], iscrowd: 0 }]);
    expect(coco.problems.counts).toEqual({ image_size_missing: 1 });
    expect([coco.rows, coco.skipped]).toEqual([1, 1]);

    const yolo = await exportOf({ project: p.name, format: 'yolo' });
    const files = unzipSync(new Uint8Array(await download(yolo, 'export.zip')));
    expect(strFromU8(files['labels/train/street.txt'])).toBe('1 0.312500 0.208333 0.312500 0.208333\n');
    expect(strFromU8(files['data.yaml'])).toContain('names:\n  0: "car"\n  1: "person"\n');
  });

  it('exports entities as CoNLL and spaCy with code-point offsets, and writing as SFT messages', async () => {
    const text = '🎉 Zoë visited القاهرة.';
    const p = await project('namedentityrecognition', { params: { labels: ['PER', 'LOC'] } }, [{ text }]);
    await answer(p.name, workers[2], () => ({ spans: [{ start: 2, end: 5, label: 'PER', text: 'Zoë' }, { start: 14, end: 21, label: 'LOC', text: 'القاهرة' }] }));
    const conll = await exportOf({ project: p.name, format: 'conll' });
    expect((await download(conll, 'export.conll')).toString('utf8')).toBe('🎉\tO\nZoë\tB-PER\nvisited\tO\nالقاهرة\tB-LOC\n.\tO\n\n');
    const spacy = await exportOf({ project: p.name, format: 'spacy_jsonl' });
    expect(lines(await download(spacy, 'export.jsonl'))).toEqual([{ text, entities: [[2, 5, 'PER'], [14, 21, 'LOC']] }]);

    const sft = await project('sft', { params: {} }, [{ prompt: [{ role: 'user', content: 'Write a haiku.' }] }]);
    await answer(sft.name, workers[3], () => ({ completion: [{ role: 'assistant', content: 'Rain on the tin roof' }] }));
    const out = await exportOf({ project: sft.name, format: 'trl_sft' });
    expect(lines(await download(out, 'export.jsonl'))).toEqual([{ messages: [{ role: 'user', content: 'Write a haiku.' }, { role: 'assistant', content: 'Rain on the tin roof' }] }]);
  });

  it('refuses unknown formats, formats that do not fit the type, and other accounts', async () => {
    const p = await project('categorization', {}, [{ attachments: [] }]);
    expectError(await call('POST', '/v1/exports', requester, { project: p.name, format: 'parquet' }), 'unknown_export_format');
    expectError(await call('POST', '/v1/exports', requester, { project: p.name, format: 'coco' }), 'export_format_mismatch');
    expectError(await call('POST', '/v1/exports', other, { project: p.name, format: 'jsonl' }), 'project_not_found');
    expectError(await call('POST', '/v1/exports', requester, { project: 'no-such-project', format: 'jsonl' }), 'project_not_found');
    expectError(await call('POST', '/v1/exports', requester, { batch: unique('no-batch'), format: 'jsonl' }), 'batch_not_found');
    expectError(await call('POST', '/v1/exports', requester, { project: p.name, format: 'jsonl', filters: { completed_since: 'yesterday' } }), 'validation_failed');
    expectError(await call('POST', '/v1/exports', requester, { project: p.name, format: 'jsonl', filters: { min_confidence: 2 } }), 'validation_failed');
    expectError(await call('POST', '/v1/exports', requester, { format: 'jsonl' }), 'validation_failed');
    const worker = await makeActor(t, 'worker');
    expectError(await call('POST', '/v1/exports', worker, { project: p.name, format: 'jsonl' }), 'forbidden');

    const mine = await exportOf({ project: p.name, format: 'jsonl', filters: { status: 'pending' } });
    expectError(await call('GET', `/v1/exports/${mine.export_id}`, other), 'export_not_found');
    expectError(await call('GET', `/v1/exports/${mine.export_id}/files/export.jsonl`, other), 'export_not_found');
    expectError(await call('GET', `/v1/exports/${mine.export_id}/files/..%2F..%2Fsecret`, requester), 'export_not_found');
    expectError(await call('GET', `/v1/exports/${mine.export_id}/files/nothing.txt`, requester), 'export_not_found');
    expectError(await call('GET', '/v1/exports/abc', requester), 'export_not_found');
    expect((await call('GET', `/v1/exports?project=${p.name}`, requester)).json().docs.map((d: { export_id: string }) => d.export_id)).toContain(mine.export_id);
    expect((await call('GET', '/v1/exports', other)).json().docs.map((d: { export_id: string }) => d.export_id)).not.toContain(mine.export_id);

    // An export that has not run yet has no files to give.
    const projectRow = await t.database.db.selectFrom('projects').select('id').where('name', '=', p.name).executeTakeFirstOrThrow();
    const queued = await insertExport(t.database.db, { owner_id: requester.user.id, project_id: projectRow.id, format: 'jsonl', filters: '{}', options: '{}', now: t.clock() });
    expectError(await call('GET', `/v1/exports/${queued}/files/export.jsonl`, requester), 'export_not_ready');
    expect((await call('GET', `/v1/exports/${queued}`, requester)).json()).toMatchObject({ status: 'queued', progress: 0, files: [] });
  });

  it('records a failed or interrupted export with its reason, and no files', async () => {
    const p = await project('categorization', {}, [{ attachments: [] }]);
    const projectRow = await t.database.db.selectFrom('projects').select('id').where('name', '=', p.name).executeTakeFirstOrThrow();
    const queue = (format: string) => insertExport(t.database.db, { owner_id: requester.user.id, project_id: projectRow.id, format, filters: JSON.stringify({ status: 'pending' }), options: '{}', now: t.clock() });
    const bogus = await queue('bogus');
    await runExport(t.database.db, t.config.dataDir, bogus, t.clock);
    expect((await call('GET', `/v1/exports/${bogus}`, requester)).json()).toMatchObject({ status: 'failed', error: 'No export format "bogus"', files: [] });

    const stopped = new AbortController();
    stopped.abort();
    const interrupted = await queue('jsonl');
    await runExport(t.database.db, t.config.dataDir, interrupted, t.clock, stopped.signal);
    expect((await call('GET', `/v1/exports/${interrupted}`, requester)).json()).toMatchObject({ status: 'failed', error: 'interrupted: the server stopped while exporting' });
    expect(existsSync(join(t.config.dataDir, 'exports', String(interrupted)))).toBe(false);

    // A running export whose process died stops moving; after ten minutes it is reported failed.
    const orphan = await queue('jsonl');
    await updateExport(t.database.db, orphan, { status: 'running', updated_at: t.clock() });
    expect((await call('GET', `/v1/exports/${orphan}`, requester)).json().status).toBe('running');
    t.clock.advance(11 * 60_000);
    expect((await call('GET', `/v1/exports/${orphan}`, requester)).json()).toMatchObject({ status: 'failed', error: 'interrupted: the process running this export stopped' });
  });
});

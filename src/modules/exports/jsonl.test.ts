import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { presentTask } from '../tasks/index.ts';
import type { StoredTask } from './export-task.ts';
import { JsonlSplicer, jsonlLine } from './jsonl.ts';
import { buildTask, encodeForTest } from './test-helpers.ts';

describe('jsonl', () => {
  it('writes each task exactly as GET /v1/task/{id} presents it, one per LF-terminated line', async () => {
    const tasks = [buildTask('categorization', { metadata: { note: 'naïve café ☕' }, response: { category: 'a', confidence: 0.5 } }), buildTask('sft', { params: { prompt: [{ role: 'user', content: 'x' }] } })];
    expect(jsonlLine(tasks[0])).toBe(`${JSON.stringify(tasks[0])}\n`);
    const out = await encodeForTest('jsonl', tasks.map((task) => ({ task, answers: [] })));
    const bytes = out.read('export.jsonl');
    const lines = bytes.toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toEqual(tasks);
    expect(out.files).toEqual([{ name: 'export.jsonl', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }]);
  });

  it('never writes NaN: a non-finite number becomes null', () => {
    const task = buildTask('rating', { metadata: { score: Number.NaN, big: Number.POSITIVE_INFINITY } });
    expect(jsonlLine(task)).toContain('"metadata":{"score":null,"big":null}');
  });

  it('streams large files in chunks with the right digest', async () => {
    const tasks = Array.from({ length: 3000 }, (_, i) => buildTask('categorization', { metadata: { i, pad: 'x'.repeat(200) } }));
    const out = await encodeForTest('jsonl', tasks.map((task) => ({ task, answers: [] })));
    const bytes = out.read('export.jsonl');
    expect(bytes.length).toBeGreaterThan(256 * 1024 * 2);
    expect(out.files[0].sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(out.rows).toBe(3000);
  });
});

describe('jsonl splicing of stored rows', () => {
  const stored = (overrides: Record<string, unknown> = {}): StoredTask =>
    ({
      id: 41,
      owner_id: 1,
      project_id: 2,
      project_name: 'p',
      batch: 'b "one"',
      type: 'categorization',
      status: 'completed',
      sub_status: null,
      is_test: 0,
      is_gold: 0,
      params: JSON.stringify({ categories: ['a', 'b'], note: 'ünï "q" \u2028' }),
      attachments: JSON.stringify([{ type: 'text', content: 'line one\\nline two 👋' }]),
      instruction: 'Pick one\nplease',
      callback_url: null,
      unique_id: 'u41',
      dedupe_key: 'u:u41',
      priority: 0,
      responses_required: 1,
      metadata: JSON.stringify({ a: 1, nested: { b: [1, 2, null] } }),
      tags: JSON.stringify(['x']),
      expected_response: null,
      gold_explanation: null,
      response: JSON.stringify({ category: 'a', confidence: 0.75 }),
      answers_count: 1,
      active_count: 0,
      created_at: Date.UTC(2026, 0, 1),
      updated_at: Date.UTC(2026, 0, 2),
      completed_at: Date.UTC(2026, 0, 2),
      import_id: null,
      predictions: null,
      result: JSON.stringify({ answer: { category: 'a' }, confidence: 0.75, decided_by: { kind: 'aggregation' } }),
      ...overrides,
    }) as unknown as StoredTask;
  const plain = (row: StoredTask, params: Record<string, unknown> = {}) => jsonlLine(presentTask(row, params));

  it('writes exactly the line the plain path writes, for ordinary, gold and unanswered tasks', () => {
    const splicer = new JsonlSplicer({});
    for (const row of [stored(), stored({ response: null, result: null }), stored({ predictions: JSON.stringify([{ category: 'b', score: 0.5 }]) }), stored({ is_gold: 1, expected_response: JSON.stringify({ category: 'b' }), gold_explanation: 'because' })]) {
      expect(splicer.line(row)).toBe(plain(row));
    }
  });

  it('cannot be fooled by a value that imitates a marker', () => {
    const splicer = new JsonlSplicer({});
    const row = stored({ instruction: '"\\u0000abc:metadata"', unique_id: '{"\\u0000":"params"}' });
    expect(splicer.line(row)).toBe(plain(row));
  });

  it('merges params over project presets as the plain path does', () => {
    const presets = { categories: ['x', 'y'], allow_multiple: false };
    expect(new JsonlSplicer(presets).line(stored())).toBe(plain(stored(), presets));
  });

  it('leaves rows it cannot splice to the plain path', () => {
    expect(new JsonlSplicer({}).line(stored({ metadata: '{\n"a": 1}' }))).toBeUndefined();
  });

  it('falls back to the plain path for good when stored JSON is not in canonical form', async () => {
    const rows = [stored({ id: 1, metadata: '{ "a" : 1 }' }), stored({ id: 2 })];
    const out = await encodeForTest('jsonl', rows.map((row) => ({ row, task: presentTask(row, {}), answers: [] })));
    expect(out.text('export.jsonl')).toBe(rows.map((r) => plain(r)).join(''));
  });
});

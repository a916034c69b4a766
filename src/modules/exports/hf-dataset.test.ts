import { tableFromIPC } from 'apache-arrow';
import { parquetMetadataAsync } from 'hyparquet';
import { readParquet } from 'parquet-wasm/node';
import { describe, expect, it } from 'vitest';
import { HF_DATA_FILE } from './hf-dataset.ts';
import { buildAnswer, buildTask, comparisonTask, encodeForTest, PROMPT, RESPONSE_A, RESPONSE_B } from './test-helpers.ts';

// Read back with parquet-wasm (Rust's parquet crate) into Apache Arrow: independent of the writer.
function readBack(bytes: Buffer) {
  const table = tableFromIPC(readParquet(new Uint8Array(bytes)).intoIPCStream());
  const rows = table.toArray().map((r) => r.toJSON() as Record<string, unknown>);
  // Arrow hands back its own row and vector objects: compare them as plain JSON.
  const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
  return { table, rows, plain };
}

describe('hf_dataset', () => {
  it('writes comparison rows whose conversations are list<struct<role, content>>', async () => {
    const tasks = [comparisonTask('a'), comparisonTask('b'), comparisonTask('tie')];
    const out = await encodeForTest('hf_dataset', tasks.map((task) => ({ task, answers: [] })), { type: 'comparison' });
    expect(out.files.map((f) => f.name)).toEqual([HF_DATA_FILE, 'README.md']);
    const { table, rows, plain } = readBack(out.read(HF_DATA_FILE));
    expect(table.numRows).toBe(3);
    const type = (name: string) => String(table.schema.fields.find((f) => f.name === name)?.type);
    for (const column of ['prompt', 'chosen', 'rejected', 'response_a', 'response_b']) expect(type(column)).toBe('List<Struct<{role:Utf8, content:Utf8}>>');
    expect(type('task_id')).toBe('Utf8');
    expect(type('confidence')).toBe('Float64');
    expect(rows.map((r) => r.task_id)).toEqual(tasks.map((t) => t.task_id));
    expect(rows.map((r) => r.winner)).toEqual(['model_a', 'model_b', 'tie']);
    expect(plain(rows[0].prompt)).toEqual(PROMPT);
    expect(plain(rows[0].chosen)).toEqual(RESPONSE_A.messages);
    expect(plain(rows[1].chosen)).toEqual(RESPONSE_B.messages);
    expect(plain(rows[1].rejected)).toEqual(RESPONSE_A.messages);
    expect(rows[2].chosen).toBeNull();
    expect(rows.map((r) => [r.model_a, r.model_b])).toEqual(Array(3).fill(['model-alpha', 'model-beta']));
  });

  it('writes one sft row per answer with the full messages', async () => {
    const task = buildTask('sft', { params: { prompt: PROMPT } });
    const answers = [buildAnswer({ completion: [{ role: 'assistant', content: 'Première réponse 🌱' }] }, { worker_id: 4 }), buildAnswer({ completion: [{ role: 'assistant', content: 'second' }] }, { worker_id: 5 })];
    const out = await encodeForTest('hf_dataset', [{ task, answers }], { type: 'sft' });
    const { rows, plain } = readBack(out.read(HF_DATA_FILE));
    expect(rows).toHaveLength(2);
    expect(plain(rows[0].messages)).toEqual([...PROMPT, { role: 'assistant', content: 'Première réponse 🌱' }]);
    expect(rows.map((r) => r.annotator)).toEqual(['worker_4', 'worker_5']);
  });

  it('writes categorization labels, confidence and completion time, never NaN', async () => {
    const task = buildTask('categorization', { attachments: [{ type: 'text', content: 'hello' }], response: { category: 'pos', confidence: 0.75 }, result: { answer: { category: 'pos' }, confidence: Number.NaN, method: 'x', n_answers: 2, agreement: null, decided_by: { kind: 'aggregation' } } });
    const out = await encodeForTest('hf_dataset', [{ task, answers: [] }], { type: 'categorization', params: { categories: ['pos', 'neg'] } });
    const { rows } = readBack(out.read(HF_DATA_FILE));
    expect(rows[0]).toMatchObject({ text: 'hello', label: 'pos', confidence: null, n_answers: 2 });
    expect(Number(rows[0].completed_at)).toBe(Date.parse('2026-01-05T09:10:00.000Z'));
  });

  it('writes a README whose YAML front matter points the default config at data/train-*', async () => {
    const out = await encodeForTest('hf_dataset', [{ task: comparisonTask('a'), answers: [] }], { name: 'prefs', type: 'comparison' });
    const readme = out.text('README.md');
    expect(readme.startsWith('---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n---\n')).toBe(true);
    expect(readme).toContain('# prefs');
    expect(readme).toContain('| `chosen` | list<struct<role: string, content: string>> |');
  });

  it('writes an empty file that strict readers accept when nothing matches', async () => {
    const out = await encodeForTest('hf_dataset', [], { type: 'comparison' });
    const { table } = readBack(out.read(HF_DATA_FILE));
    expect(table.numRows).toBe(0);
    expect(String(table.schema.fields.find((f) => f.name === 'chosen')?.type)).toBe('List<Struct<{role:Utf8, content:Utf8}>>');
    const bytes = out.read(HF_DATA_FILE);
    expect((await parquetMetadataAsync(new Uint8Array(bytes).buffer)).num_rows).toBe(0n);
  });
});

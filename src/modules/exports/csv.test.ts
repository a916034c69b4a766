import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvHeader, csvRow } from './csv.ts';
import { buildTask, encodeForTest } from './test-helpers.ts';

const categorized = (category: string, metadata: Record<string, unknown>, confidence = 0.875) =>
  buildTask('categorization', { unique_id: `u-${category}`, metadata, params: { categories: ['cat', 'dog'] }, response: { category, confidence }, result: { answer: { category }, confidence, method: 'skill_posterior', n_answers: 3, agreement: 1, decided_by: { kind: 'aggregation' } } });

describe('csv', () => {
  it('has the columns id, unique_id, answer, confidence, n_answers, then metadata.<key>', () => {
    expect(csvHeader(['lang', 'source'])).toBe('id,unique_id,answer,confidence,n_answers,metadata.lang,metadata.source\r\n');
  });

  it('writes one row per task with quoting where a cell needs it', () => {
    const task = categorized('cat', { lang: 'fr', source: 'a "quoted", multi\nline', n: 3, tags: ['x'] });
    const row = csvRow(task, ['lang', 'missing', 'n', 'source', 'tags']);
    expect(row).toBe(`${task.task_id},u-cat,cat,0.875,3,fr,,3,"a ""quoted"", multi\nline","[""x""]"\r\n`);
  });

  it('joins multi-label answers with ; and writes ratings as a JSON object', () => {
    const multi = buildTask('categorization', { response: { categories: ['cat', 'dog'], confidence: 0.5 } });
    expect(csvRow(multi, [])?.split(',')[2]).toBe('cat;dog');
    const rating = buildTask('rating', { response: { ratings: { helpful: 4, accurate: 5 }, spread: {}, confidence: null } });
    expect(parse(csvRow(rating, []) ?? '')[0][2]).toBe('{"helpful":4,"accurate":5}');
    expect(parse(csvRow(rating, []) ?? '')[0][3]).toBe('');
  });

  it('writes a file a CSV reader reads back cell for cell', async () => {
    const tasks = [categorized('cat', { lang: 'fr' }), categorized('dog', { source: 'web, mobile' })];
    const out = await encodeForTest('csv', tasks.map((task) => ({ task, answers: [] })), { type: 'categorization' }, {}, ['lang', 'source']);
    const rows = parse(out.text('export.csv'), { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      { id: tasks[0].task_id, unique_id: 'u-cat', answer: 'cat', confidence: '0.875', n_answers: '3', 'metadata.lang': 'fr', 'metadata.source': '' },
      { id: tasks[1].task_id, unique_id: 'u-dog', answer: 'dog', confidence: '0.875', n_answers: '3', 'metadata.lang': '', 'metadata.source': 'web, mobile' },
    ]);
  });
});

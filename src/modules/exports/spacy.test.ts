import { describe, expect, it } from 'vitest';
import { spacyRecord } from './spacy.ts';
import { buildTask, encodeForTest } from './test-helpers.ts';

describe('spacy_jsonl', () => {
  it('writes text and [start, end, label] in code points, which slice back to the entity text', () => {
    const text = '👩🏽‍💻 Zoë met José in الرياض';
    const spans = [
      // Offsets as Python computes them (text.index): UTF-16 indexes would be 8, 16 and 24.
      { start: 5, end: 8, label: 'PERSON', text: 'Zoë' },
      { start: 13, end: 17, label: 'PERSON', text: 'José' },
      { start: 21, end: 27, label: 'GPE', text: 'الرياض' },
    ];
    const task = buildTask('namedentityrecognition', { params: { text, labels: ['PERSON', 'GPE'] }, response: { spans: [spans[2], spans[0], spans[1]], confidence: 1 } });
    const record = spacyRecord(task);
    expect(Object.keys(record as object)).toEqual(['text', 'entities']);
    expect(record?.entities).toEqual([
      [5, 8, 'PERSON'],
      [13, 17, 'PERSON'],
      [21, 27, 'GPE'],
    ]);
    // Python's str indexes code points: what spaCy's doc.char_span expects.
    const chars = Array.from(text);
    for (const [start, end, label] of record?.entities ?? []) expect(chars.slice(start, end).join('')).toBe(spans.find((s) => s.label === label && s.start === start)?.text);
  });

  it('reports a task without spans', async () => {
    const out = await encodeForTest('spacy_jsonl', [{ task: buildTask('namedentityrecognition', { params: { text: 'x', labels: ['A'] } }), answers: [] }]);
    expect(out.text('export.jsonl')).toBe('');
    expect(out.problems.counts).toEqual({ no_answer: 1 });
  });
});

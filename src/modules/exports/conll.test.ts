import { describe, expect, it } from 'vitest';
import { codePointSlice } from '../../shared/task-types.ts';
import { conllDocument, tokenize } from './conll.ts';
import { buildTask, encodeForTest } from './test-helpers.ts';

const span = (text: string, entity: string, label: string, from = 0) => {
  const chars = Array.from(text);
  const target = Array.from(entity);
  for (let i = from; i <= chars.length - target.length; i++) {
    if (chars.slice(i, i + target.length).join('') === entity) return { start: i, end: i + target.length, label, text: entity };
  }
  throw new Error(`${entity} not in ${text}`);
};

describe('conll tokenizer', () => {
  it('splits on whitespace and punctuation with code-point offsets that slice back to each token', () => {
    const text = 'Ada Lovelace, born 1815 in London.';
    const tokens = tokenize(text);
    expect(tokens.map((t) => t.text)).toEqual(['Ada', 'Lovelace', ',', 'born', '1815', 'in', 'London', '.']);
    for (const t of tokens) expect(codePointSlice(text, t.start, t.end)).toBe(t.text);
  });

  it('keeps offsets right after emoji, and keeps an emoji with its modifiers as one token', () => {
    const text = '👍🏽 Meet 👨‍👩‍👧 Zoë in Paris!';
    const tokens = tokenize(text);
    expect(tokens.map((t) => t.text)).toEqual(['👍🏽', 'Meet', '👨‍👩‍👧', 'Zoë', 'in', 'Paris', '!']);
    for (const t of tokens) expect(codePointSlice(text, t.start, t.end)).toBe(t.text);
    // 👍🏽 is two code points, 👨‍👩‍👧 five: Paris starts at code point 21 (Python's text.index), not at its UTF-16 index 26.
    expect(tokens.find((t) => t.text === 'Paris')).toMatchObject({ start: 21, end: 26 });
    expect(text.indexOf('Paris')).toBe(26);
  });

  it('keeps combining marks and Arabic diacritics inside their word', () => {
    const text = 'Jose\u0301 وُلِدَ في القاهرة، مصر.';
    const tokens = tokenize(text);
    expect(tokens.map((t) => t.text)).toEqual(['Jose\u0301', 'وُلِدَ', 'في', 'القاهرة', '،', 'مصر', '.']);
    for (const t of tokens) expect(codePointSlice(text, t.start, t.end)).toBe(t.text);
  });

  it('cuts a word where an entity begins or ends inside it', () => {
    expect(tokenize('xLondony', new Set([1, 7])).map((t) => t.text)).toEqual(['x', 'London', 'y']);
  });
});

describe('conll', () => {
  it('tags tokens in IOB2 with a tab, and ends each sentence with a blank line', () => {
    const text = 'Ada Lovelace met Charles Babbage. They lived in London.';
    const spans = [span(text, 'Ada Lovelace', 'PERSON'), span(text, 'Charles Babbage', 'PERSON'), span(text, 'London', 'LOCATION')];
    expect(conllDocument(text, spans)).toBe(
      ['Ada\tB-PERSON', 'Lovelace\tI-PERSON', 'met\tO', 'Charles\tB-PERSON', 'Babbage\tI-PERSON', '.\tO', '', 'They\tO', 'lived\tO', 'in\tO', 'London\tB-LOCATION', '.\tO', '', ''].join('\n'),
    );
  });

  it('aligns entities by code point in text with emoji and Arabic', () => {
    const text = '🎉 زار محمد القاهرة 🇪🇬 مع Zoë.';
    const spans = [span(text, 'محمد', 'PERSON'), span(text, 'القاهرة', 'LOCATION'), span(text, 'Zoë', 'PERSON')];
    const lines = conllDocument(text, spans).trimEnd().split('\n');
    expect(lines).toEqual(['🎉\tO', 'زار\tO', 'محمد\tB-PERSON', 'القاهرة\tB-LOCATION', '🇪🇬\tO', 'مع\tO', 'Zoë\tB-PERSON', '.\tO']);
  });

  it('keeps the first of two overlapping spans and reports the other', () => {
    const text = 'New York City';
    const problems: string[] = [];
    const doc = conllDocument(text, [span(text, 'New York City', 'LOC'), span(text, 'York', 'ORG')], 't1', (_id, code) => problems.push(code));
    expect(doc).toBe('New\tB-LOC\nYork\tI-LOC\nCity\tI-LOC\n\n');
    expect(problems).toEqual(['overlapping_span']);
  });

  it('writes every task as its own block of sentences from the aggregated spans', async () => {
    const task = (text: string, spans: object[]) => ({ task: buildTask('namedentityrecognition', { params: { text, labels: ['PER'] }, response: { spans, confidence: 1 } }), answers: [] });
    const out = await encodeForTest('conll', [task('Hi Bob', [{ start: 3, end: 6, label: 'PER', text: 'Bob' }]), task('Yo', [])]);
    expect(out.text('export.conll')).toBe('Hi\tO\nBob\tB-PER\n\nYo\tO\n\n');
    expect(out.rows).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { voteSpansByToken, voteSpansExact } from './index.ts';

const answers = [
  { worker: 'a', item: 't', spans: [{ start: 0, end: 5, label: 'PER' }, { start: 10, end: 16, label: 'LOC' }] },
  { worker: 'b', item: 't', spans: [{ start: 0, end: 5, label: 'PER' }, { start: 10, end: 14, label: 'LOC' }] },
  { worker: 'c', item: 't', spans: [{ start: 0, end: 5, label: 'ORG' }, { start: 10, end: 16, label: 'LOC' }] },
];

describe('voteSpansExact', () => {
  it('keeps the spans a majority drew exactly', () => {
    expect(voteSpansExact(answers).get('t')).toEqual([
      { start: 0, end: 5, label: 'PER', votes: 2, share: 2 / 3 },
      { start: 10, end: 16, label: 'LOC', votes: 2, share: 2 / 3 },
    ]);
  });

  it('needs a strict majority by default and honours minShare', () => {
    const two = answers.slice(0, 2).map((a, i) => (i === 0 ? a : { ...a, spans: [] }));
    expect(voteSpansExact(two).get('t')).toEqual([]);
    expect(voteSpansExact(two, { minShare: 0.5 }).get('t')!.map((s) => s.label)).toEqual(['PER', 'LOC']);
  });
});

describe('voteSpansByToken', () => {
  it('labels each stretch of text by majority and merges touching stretches', () => {
    // 10..14 is LOC for all three, 14..16 for two of three: merged into one LOC span 10..16.
    expect(voteSpansByToken(answers).get('t')).toEqual([
      { start: 0, end: 5, label: 'PER' },
      { start: 10, end: 16, label: 'LOC' },
    ]);
  });

  it('votes per token when tokens are given, merging across whitespace', () => {
    const tokens = new Map([['t', [{ start: 0, end: 5 }, { start: 6, end: 9 }, { start: 10, end: 14 }, { start: 15, end: 16 }]]]);
    const spans = voteSpansByToken(
      [
        { worker: 'a', item: 't', spans: [{ start: 0, end: 9, label: 'PER' }] },
        { worker: 'b', item: 't', spans: [{ start: 0, end: 9, label: 'PER' }] },
        { worker: 'c', item: 't', spans: [{ start: 0, end: 5, label: 'PER' }] },
      ],
      { tokens },
    );
    expect(spans.get('t')).toEqual([{ start: 0, end: 9, label: 'PER' }]);
  });

  it('leaves a unit unlabelled when "no span" ties with a label', () => {
    const spans = voteSpansByToken([
      { worker: 'a', item: 't', spans: [{ start: 0, end: 4, label: 'X' }] },
      { worker: 'b', item: 't', spans: [] },
    ]);
    expect(spans.get('t')).toEqual([]);
  });
});

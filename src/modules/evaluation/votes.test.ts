import { describe, expect, it } from 'vitest';
import { comparisonVote, indexResponses, majorityChoice, rankingVotes, responseLength } from './votes.ts';

const params = {
  responses: [
    { id: 'r1', model: 'alpha', messages: [{ role: 'assistant', content: 'héllo' }] },
    { id: 'r2', model: 'beta', messages: [{ role: 'assistant', content: 'hi' }, { role: 'assistant', content: '🙂' }] },
  ],
};

describe('votes from answers', () => {
  it('maps the winning response id to its model, whatever the display order', () => {
    const responses = indexResponses(params);
    expect(comparisonVote(responses, 'r2')).toEqual({ a: 'alpha', b: 'beta', score: 0, lengthA: 5, lengthB: 3 });
    expect(comparisonVote(responses, 'r1')?.score).toBe(1);
  });

  it('counts tie and both_bad as half a win each way, and ignores anything else', () => {
    const responses = indexResponses(params);
    expect(comparisonVote(responses, 'tie')?.score).toBe(0.5);
    expect(comparisonVote(responses, 'both_bad')?.score).toBe(0.5);
    expect(comparisonVote(responses, 'r3')).toBeUndefined();
    expect(comparisonVote(responses, undefined)).toBeUndefined();
  });

  it('skips comparisons without model names or of a model with itself', () => {
    expect(comparisonVote(indexResponses({ responses: [{ id: 'a', messages: [] }, { id: 'b', model: 'x', messages: [] }] }), 'a')).toBeUndefined();
    expect(comparisonVote(indexResponses({ responses: [{ id: 'a', model: 'x' }, { id: 'b', model: 'x' }] }), 'a')).toBeUndefined();
  });

  it('expands a ranking into model votes', () => {
    const responses = indexResponses({ responses: [{ id: 'p', model: 'A' }, { id: 'q', model: 'B' }, { id: 'r', model: 'C' }] });
    expect(rankingVotes(responses, [['r'], ['p', 'q']]).map((v) => [v.a, v.b, v.score])).toEqual([
      ['C', 'A', 1],
      ['C', 'B', 1],
      ['A', 'B', 0.5],
    ]);
  });

  it('measures response length in code points', () => {
    expect(responseLength([{ content: '🙂a' }, { content: 'bc' }])).toBe(4);
  });

  it('takes the majority choice, with a tie when the top two are level', () => {
    expect(majorityChoice(['a', 'b', 'a'])).toBe('a');
    expect(majorityChoice(['a', 'b'])).toBe('tie');
    expect(majorityChoice([])).toBeUndefined();
  });
});

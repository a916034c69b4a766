import { describe, expect, it } from 'vitest';
import { aggregateComparisons } from './index.ts';

describe('aggregateComparisons', () => {
  it('picks the option most workers preferred', () => {
    const result = aggregateComparisons([
      { worker: 'a', item: 'p', choice: 'left' },
      { worker: 'b', item: 'p', choice: 'left' },
      { worker: 'c', item: 'p', choice: 'right' },
    ]);
    expect(result.get('p')).toEqual({ winner: 'left', tie: false, votes: { left: 2, right: 1 }, ties: 0, share: 2 / 3 });
  });

  it('reports a tie when the top options draw, rather than picking one', () => {
    const result = aggregateComparisons([
      { worker: 'a', item: 'p', choice: 'left' },
      { worker: 'b', item: 'p', choice: 'right' },
    ]);
    expect(result.get('p')).toMatchObject({ winner: undefined, tie: true });
  });

  it('reports a tie when "no preference" is at least as common as the best option', () => {
    const result = aggregateComparisons([
      { worker: 'a', item: 'p', choice: 'left' },
      { worker: 'b', item: 'p', choice: null },
      { worker: 'c', item: 'p', choice: null },
      { worker: 'd', item: 'p', choice: 'right' },
    ]);
    expect(result.get('p')).toMatchObject({ tie: true, ties: 2 });
  });
});

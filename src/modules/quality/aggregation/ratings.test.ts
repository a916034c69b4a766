import { describe, expect, it } from 'vitest';
import { aggregateRatings } from './index.ts';

describe('aggregateRatings', () => {
  it('reports median, mean and spread per item', () => {
    const result = aggregateRatings([
      { worker: 'a', item: 'x', value: 4 },
      { worker: 'b', item: 'x', value: 5 },
      { worker: 'c', item: 'x', value: 1 },
      { worker: 'd', item: 'x', value: 4 },
    ]);
    const x = result.get('x')!;
    expect(x).toMatchObject({ n: 4, median: 4, mean: 3.5, min: 1, max: 5, mad: 0.5 });
    expect(x.std).toBeCloseTo(Math.sqrt(3), 12);
  });

  it('gives a single rating zero spread and skips values that are not finite', () => {
    const result = aggregateRatings([
      { worker: 'a', item: 'x', value: 3 },
      { worker: 'b', item: 'x', value: Number.NaN },
      { worker: 'a', item: 'y', value: Number.POSITIVE_INFINITY },
    ]);
    expect(result.get('x')).toMatchObject({ n: 1, median: 3, std: 0, mad: 0 });
    expect(result.has('y')).toBe(false);
  });
});

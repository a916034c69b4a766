import { describe, expect, it } from 'vitest';
import { majorityVote, oneCoinDawidSkene, simulateCrowd } from './index.ts';
import { accuracyAgainst } from './test-helpers.ts';

describe('oneCoinDawidSkene', () => {
  it('recovers per-worker accuracy when errors are symmetric', () => {
    const crowd = simulateCrowd({ items: 4000, workers: 15, classes: 2, answersPerItem: 5, seed: 21, spammerShare: 0 });
    const result = oneCoinDawidSkene(crowd.answers);
    crowd.workers.forEach((worker, w) => {
      // For two classes a confusion row is [acc, 1 - acc]; average the two diagonals for the truth.
      const expected = (crowd.confusion[w * 4] + crowd.confusion[w * 4 + 3]) / 2;
      expect(Math.abs(result.workers.get(worker)!.accuracy - expected)).toBeLessThan(0.06);
    });
    expect(accuracyAgainst(result.items, crowd.truth)).toBeGreaterThanOrEqual(accuracyAgainst(majorityVote(crowd.answers).items, crowd.truth));
  });

  it('keeps gold items at their gold label', () => {
    const crowd = simulateCrowd({ items: 50, workers: 5, classes: 2, answersPerItem: 3, seed: 2 });
    const gold = new Map([['item-0', '1'], ['item-1', '0']]);
    const result = oneCoinDawidSkene(crowd.answers, { gold });
    expect(result.items.get('item-0')!.label).toBe('1');
    expect(result.items.get('item-1')!.label).toBe('0');
  });
});

import { describe, expect, it } from 'vitest';
import { glad, majorityVote, simulateCrowd } from './index.ts';
import { accuracyAgainst, answersOf } from './test-helpers.ts';

describe('glad', () => {
  it('is at least as accurate as majority vote when worker quality varies', () => {
    const crowd = simulateCrowd({ items: 1500, workers: 25, classes: 2, answersPerItem: 5, seed: 17, accuracyRange: [0.5, 0.95], spammerShare: 0.2 });
    const gladAccuracy = accuracyAgainst(glad(crowd.answers).items, crowd.truth);
    expect(gladAccuracy).toBeGreaterThanOrEqual(accuracyAgainst(majorityVote(crowd.answers).items, crowd.truth));
  });

  it('ranks a careful worker above a random one', () => {
    const crowd = simulateCrowd({ items: 800, workers: 6, classes: 2, answersPerItem: 6, seed: 4, accuracyRange: [0.9, 0.9], spammerShare: 0 });
    const answers = [...crowd.answers];
    let flip = 0;
    for (const item of crowd.truth.keys()) answers.push({ worker: 'coin', item, label: String(flip++ % 2) });
    const result = glad(answers);
    expect(result.workers.get('worker-0')!.accuracy).toBeGreaterThan(result.workers.get('coin')!.accuracy + 0.2);
  });

  it('gives posteriors that sum to 1', () => {
    const result = glad(answersOf('a:x:p', 'b:x:q', 'c:x:r', 'a:y:p'));
    for (const item of result.items.values()) expect(Object.values(item.posterior).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
  });
});

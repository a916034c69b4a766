import { describe, expect, it } from 'vitest';
import { dawidSkene, majorityVote, simulateCrowd } from './index.ts';
import { accuracyAgainst, answersOf } from './test-helpers.ts';

describe('dawidSkene', () => {
  it('beats majority vote on a crowd of biased workers', () => {
    const crowd = simulateCrowd({ items: 2000, workers: 30, classes: 3, answersPerItem: 5, seed: 11, accuracyRange: [0.35, 0.9] });
    const ds = accuracyAgainst(dawidSkene(crowd.answers).items, crowd.truth);
    const mv = accuracyAgainst(majorityVote(crowd.answers).items, crowd.truth);
    expect(ds).toBeGreaterThan(mv + 0.02);
  });

  it('learns that a worker who always says "0" carries no information', () => {
    // Two honest workers (right 90% of the time) and three who answer "0" whatever the truth.
    const crowd = simulateCrowd({ items: 600, workers: 2, classes: 2, answersPerItem: 2, seed: 3, accuracyRange: [0.9, 0.9], spammerShare: 0 });
    const answers = [...crowd.answers];
    for (const item of crowd.truth.keys()) for (const w of ['lazy1', 'lazy2', 'lazy3']) answers.push({ worker: w, item, label: '0' });
    const result = dawidSkene(answers);
    expect(accuracyAgainst(result.items, crowd.truth)).toBeGreaterThan(0.85);
    expect(accuracyAgainst(majorityVote(answers).items, crowd.truth)).toBeLessThan(0.7);
    const lazy = result.workers.get('lazy1')!.confusion!;
    expect(lazy['1']['0']).toBeGreaterThan(0.99);
  });

  it('recovers the generating confusion-matrix diagonals', () => {
    const crowd = simulateCrowd({ items: 5000, workers: 20, classes: 2, answersPerItem: 5, seed: 5 });
    const result = dawidSkene(crowd.answers);
    let error = 0;
    crowd.workers.forEach((worker, w) => {
      for (let t = 0; t < 2; t++) error += Math.abs(result.workers.get(worker)!.confusion![String(t)][String(t)] - crowd.confusion[w * 4 + t * 3]);
    });
    expect(error / (crowd.workers.length * 2)).toBeLessThan(0.03);
  });

  it('returns confusion rows that sum to 1 and posteriors that sum to 1', () => {
    const result = dawidSkene(answersOf('a:x:p', 'b:x:q', 'a:y:q', 'b:y:q', 'c:y:r'));
    for (const worker of result.workers.values()) {
      for (const row of Object.values(worker.confusion!)) expect(Object.values(row).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    }
    for (const item of result.items.values()) expect(Object.values(item.posterior).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
  });

  it('holds gold items at their gold label, even a label nobody gave', () => {
    const answers = answersOf('a:x:p', 'b:x:p', 'a:y:q', 'b:y:q');
    const result = dawidSkene(answers, { gold: new Map([['x', 'q'], ['y', 'z']]) });
    expect(result.items.get('x')!.label).toBe('q');
    expect(result.items.get('y')!.label).toBe('z');
    expect(result.items.get('y')!.confidence).toBe(1);
  });

  it('stops at the iteration cap', () => {
    const crowd = simulateCrowd({ items: 500, workers: 10, classes: 3, answersPerItem: 3, seed: 9 });
    expect(dawidSkene(crowd.answers, { maxIterations: 2, tolerance: 0 }).iterations).toBe(2);
  });

  it('returns an empty result for no answers', () => {
    const result = dawidSkene([]);
    expect(result.items.size).toBe(0);
    expect(result.workers.size).toBe(0);
  });
});

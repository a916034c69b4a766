import { describe, expect, it } from 'vitest';
import { designPairs, rankingToPairs } from './pairs.ts';

const item = (models: string[]) => ({ responses: models.map((model) => ({ model })) });
const MODELS = ['m1', 'm2', 'm3', 'm4', 'm5'];

describe('rankings to pairs', () => {
  it('makes every earlier group beat every later one, and ties within a group', () => {
    expect(rankingToPairs([['a'], ['b', 'c'], ['d']])).toEqual([
      { a: 'a', b: 'b', score: 1 },
      { a: 'a', b: 'c', score: 1 },
      { a: 'a', b: 'd', score: 1 },
      { a: 'b', b: 'c', score: 0.5 },
      { a: 'b', b: 'd', score: 1 },
      { a: 'c', b: 'd', score: 1 },
    ]);
  });

  it('gives k(k-1)/2 pairs for k ranked ids', () => {
    expect(rankingToPairs([['a'], ['b'], ['c'], ['d'], ['e']])).toHaveLength(10);
  });
});

describe('pair designs', () => {
  it('all: every pair of different models for every prompt', () => {
    const pairs = designPairs([item(MODELS), item(['m1', 'm2', 'm2'])], { design: 'all' });
    expect(pairs.filter((p) => p.item === 0)).toHaveLength(10);
    // The two m2 responses are never compared with each other.
    expect(pairs.filter((p) => p.item === 1)).toHaveLength(2);
  });

  it('balanced: the same number of comparisons for every model pair and every model', () => {
    const items = Array.from({ length: 40 }, () => item(MODELS));
    const pairs = designPairs(items, { design: 'balanced', pairsPerPrompt: 2, seed: 3 });
    expect(pairs).toHaveLength(80);
    const pairUses = new Map<string, number>();
    const modelUses = new Map<string, number>();
    for (const p of pairs) {
      const [x, y] = [items[p.item].responses[p.first].model, items[p.item].responses[p.second].model].sort();
      pairUses.set(`${x}-${y}`, (pairUses.get(`${x}-${y}`) ?? 0) + 1);
      for (const m of [x, y]) modelUses.set(m, (modelUses.get(m) ?? 0) + 1);
    }
    expect(pairUses.size).toBe(10);
    expect([...new Set(pairUses.values())]).toEqual([8]);
    expect([...new Set(modelUses.values())]).toEqual([32]);
  });

  it('balanced: never more pairs from a prompt than it has', () => {
    expect(designPairs([item(['a', 'b'])], { design: 'balanced', pairsPerPrompt: 5 })).toHaveLength(1);
  });

  it('puts either response first about half the time, reproducibly for a seed', () => {
    const items = Array.from({ length: 200 }, () => item(['a', 'b']));
    const pairs = designPairs(items, { design: 'all', seed: 7 });
    const aFirst = pairs.filter((p) => p.first === 0).length;
    expect(aFirst).toBeGreaterThan(70);
    expect(aFirst).toBeLessThan(130);
    expect(designPairs(items, { design: 'all', seed: 7 })).toEqual(pairs);
  });
});

import { describe, expect, it } from 'vitest';
import { majorityVote } from './index.ts';
import { answersOf } from './test-helpers.ts';

describe('majorityVote', () => {
  it('picks the most frequent label and reports vote shares', () => {
    const result = majorityVote(answersOf('a:x:cat', 'b:x:cat', 'c:x:dog'));
    const x = result.items.get('x')!;
    expect(x.label).toBe('cat');
    expect(x.posterior).toEqual({ cat: 2 / 3, dog: 1 / 3 });
    expect(x.confidence).toBeCloseTo(2 / 3, 12);
    expect(result.method).toBe('mv');
  });

  it('breaks ties toward the smallest label by string comparison', () => {
    const result = majorityVote(answersOf('a:x:1', 'b:x:0', 'a:y:b', 'b:y:a', 'a:z:10', 'b:z:9'));
    expect(result.items.get('x')!.label).toBe('0');
    expect(result.items.get('y')!.label).toBe('a');
    // String order, not numeric: "10" < "9".
    expect(result.items.get('z')!.label).toBe('10');
  });

  it('counts a repeated (worker, item) row again, as the published baselines do', () => {
    const result = majorityVote(answersOf('a:x:1', 'a:x:1', 'b:x:0'));
    expect(result.items.get('x')!.label).toBe('1');
  });

  it('breaks ties at random among the tied labels only, reproducibly for a seed', () => {
    const answers = answersOf(...Array.from({ length: 40 }, (_, i) => [`a:i${i}:p`, `b:i${i}:q`, `c:i${i}:r`, `d:i${i}:r`, `e:i${i}:p`]).flat());
    const first = majorityVote(answers, { tieBreak: 'random', seed: 7 });
    const again = majorityVote(answers, { tieBreak: 'random', seed: 7 });
    const picked = new Set([...first.items.values()].map((v) => v.label));
    expect(picked).toEqual(new Set(['p', 'r']));
    expect([...again.items.values()].map((v) => v.label)).toEqual([...first.items.values()].map((v) => v.label));
  });

  it("rates each worker by agreement with the majority", () => {
    const result = majorityVote(answersOf('a:x:1', 'b:x:1', 'c:x:0', 'a:y:0', 'b:y:0', 'c:y:0'));
    expect(result.workers.get('a')!.accuracy).toBe(1);
    expect(result.workers.get('c')!.accuracy).toBe(0.5);
  });

  it('returns an empty result for no answers', () => {
    expect(majorityVote([]).items.size).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { weightedMajority } from './index.ts';
import { answersOf } from './test-helpers.ts';

describe('weightedMajority', () => {
  it('lets one trusted worker outvote two weak ones', () => {
    const answers = answersOf('expert:x:yes', 'novice1:x:no', 'novice2:x:no');
    const result = weightedMajority(answers, new Map([['expert', 0.9], ['novice1', 0.3], ['novice2', 0.3]]));
    expect(result.items.get('x')!.label).toBe('yes');
    expect(result.items.get('x')!.posterior.yes).toBeCloseTo(0.6, 12);
  });

  it('weighs a worker missing from the map as 1', () => {
    const result = weightedMajority(answersOf('a:x:yes', 'b:x:no', 'c:x:no'), new Map([['a', 1.5]]));
    expect(result.items.get('x')!.label).toBe('no');
  });

  it('falls back to counting votes when every voter weighs 0', () => {
    const result = weightedMajority(answersOf('a:x:yes', 'b:x:no', 'c:x:no'), new Map([['a', 0], ['b', 0], ['c', 0]]));
    expect(result.items.get('x')!.label).toBe('no');
  });
});

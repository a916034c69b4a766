import { describe, expect, it } from 'vitest';
import { majorityVote, wawa } from './index.ts';
import { answersOf } from './test-helpers.ts';

describe('wawa', () => {
  it('weights workers by their agreement with the plain majority', () => {
    // On x1..x4, a, b and c say 1 and d, e say 0. On q the raw vote is 3-2 for 0 (c, d, e), but d
    // and e agree with the majority only 1 time in 5, so a and b (4 in 5) outweigh them.
    const rows: string[] = [];
    for (const item of ['x1', 'x2', 'x3', 'x4']) rows.push(`a:${item}:1`, `b:${item}:1`, `c:${item}:1`, `d:${item}:0`, `e:${item}:0`);
    rows.push('a:q:1', 'b:q:1', 'c:q:0', 'd:q:0', 'e:q:0');
    const answers = answersOf(...rows);
    const result = wawa(answers);
    expect(result.workers.get('a')!.accuracy).toBeCloseTo(0.8, 12);
    expect(result.workers.get('c')!.accuracy).toBe(1);
    expect(result.workers.get('d')!.accuracy).toBeCloseTo(0.2, 12);
    expect(majorityVote(answers).items.get('q')!.label).toBe('0');
    expect(result.items.get('q')!.label).toBe('1');
    expect(result.items.get('q')!.posterior['1']).toBeCloseTo(1.6 / 3, 12);
  });
});

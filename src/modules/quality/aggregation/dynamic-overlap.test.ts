import { describe, expect, it } from 'vitest';
import { dawidSkene, dynamicOverlapDecision, posteriorFromSkills } from './index.ts';
import { answersOf } from './test-helpers.ts';

const policy = { min: 3, max: 7, target: 0.95 };

describe('dynamicOverlapDecision', () => {
  it('asks for more below the minimum however confident the posterior is', () => {
    expect(dynamicOverlapDecision({ yes: 0.999, no: 0.001 }, 2, policy)).toMatchObject({ action: 'ask', reason: 'below_min' });
  });

  it('stops once the leading label reaches the target', () => {
    expect(dynamicOverlapDecision({ yes: 0.96, no: 0.04 }, 3, policy)).toEqual({ action: 'stop', reason: 'confident', leading: 0.96 });
  });

  it('asks for one more while uncertain, and stops at the maximum', () => {
    expect(dynamicOverlapDecision([0.6, 0.4], 5, policy)).toMatchObject({ action: 'ask', reason: 'uncertain' });
    expect(dynamicOverlapDecision([0.6, 0.4], 7, policy)).toMatchObject({ action: 'stop', reason: 'max_answers' });
  });

  it('rejects an inconsistent policy', () => {
    expect(() => dynamicOverlapDecision([1], 1, { min: 4, max: 2, target: 0.9 })).toThrow(RangeError);
    expect(() => dynamicOverlapDecision([1], 1, { min: 1, max: 2, target: 1.5 })).toThrow(RangeError);
  });
});

describe('posteriorFromSkills', () => {
  it('trusts a strong worker more than a weak one (one-coin)', () => {
    const workers = new Map([['strong', { accuracy: 0.95 }], ['weak', { accuracy: 0.55 }]]);
    const posterior = posteriorFromSkills(
      [{ worker: 'strong', label: 'yes' }, { worker: 'weak', label: 'no' }],
      workers,
      { labels: ['no', 'yes'] },
    );
    // Odds yes:no = (0.95 * 0.45) / (0.05 * 0.55).
    expect(posterior.yes).toBeCloseTo((0.95 * 0.45) / (0.95 * 0.45 + 0.05 * 0.55), 12);
  });

  it('uses confusion matrices when the skills have them', () => {
    const fit = dawidSkene(answersOf('a:x:1', 'b:x:1', 'a:y:0', 'b:y:0', 'a:z:1', 'b:z:1'));
    const posterior = posteriorFromSkills([{ worker: 'a', label: '1' }], fit.workers, { labels: ['0', '1'] });
    expect(posterior['1']).toBeGreaterThan(0.9);
  });

  it('ignores unknown workers unless told how good they are', () => {
    const answers = [{ worker: 'stranger', label: 'yes' }];
    expect(posteriorFromSkills(answers, new Map(), { labels: ['no', 'yes'] }).yes).toBeCloseTo(0.5, 12);
    expect(posteriorFromSkills(answers, new Map(), { labels: ['no', 'yes'], unknownAccuracy: 0.8 }).yes).toBeCloseTo(0.8, 12);
  });
});

import { describe, expect, it } from 'vitest';
import { krippendorffAlpha, reliabilityData } from './index.ts';

describe('reliabilityData', () => {
  it('turns answers into a units x coders table with gaps for missing codes', () => {
    const { units, coders, data } = reliabilityData([
      { worker: 'w1', item: 'i1', label: 'x' },
      { worker: 'w2', item: 'i1', label: 'y' },
      { worker: 'w2', item: 'i2', label: 'x' },
    ]);
    expect(units).toEqual(['i1', 'i2']);
    expect(coders).toEqual(['w1', 'w2']);
    expect(data[0]).toEqual(['x', 'y']);
    expect(data[1][0]).toBeUndefined();
    expect(data[1][1]).toBe('x');
    // One pairable unit whose two values differ: observed disagreement equals what chance predicts.
    expect(krippendorffAlpha(data)).toBe(0);
  });
});

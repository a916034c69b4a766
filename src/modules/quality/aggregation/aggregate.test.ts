import { describe, expect, it } from 'vitest';
import { aggregate, DEFAULT_METHOD, isMethod, METHODS, simulateCrowd } from './index.ts';

describe('aggregate', () => {
  it('runs every method by name and labels every item', () => {
    const crowd = simulateCrowd({ items: 100, workers: 8, classes: 3, answersPerItem: 3, seed: 1 });
    for (const method of METHODS) {
      const result = aggregate(method, crowd.answers);
      expect(result.method).toBe(method);
      expect(result.items.size).toBe(100);
    }
  });

  it('defaults to Dawid-Skene', () => {
    expect(DEFAULT_METHOD).toBe('ds');
  });

  it('tells method names from other strings', () => {
    expect(isMethod('glad')).toBe(true);
    expect(isMethod('median')).toBe(false);
  });

  it('throws on an unknown method name', () => {
    expect(() => aggregate('nope' as never, [])).toThrow(RangeError);
  });
});

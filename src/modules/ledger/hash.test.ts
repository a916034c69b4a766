import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH } from './hash.ts';

describe('hashing closed weeks', () => {
  it('writes the same JSON for the same content whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: null, c: 'x' }] })).toBe('{"a":[2,{"c":"x","d":null}],"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('refuses floats and undefined in a hashed record', () => {
    expect(() => canonicalJson({ a: 0.5 })).toThrow(/exact integer/);
    expect(() => canonicalJson({ a: undefined })).toThrow();
  });

  it('chains: a changed earlier link changes every later hash', () => {
    const one = chainHash(GENESIS_HASH, '{"w":1}');
    const two = chainHash(one, '{"w":2}');
    expect(two).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(chainHash(GENESIS_HASH, '{"w":9}'), '{"w":2}')).not.toBe(two);
  });
});

/** A seeded pseudo-random generator returning floats in [0, 1). */
export type Prng = () => number;

/**
 * Mulberry32 (Tommy Ettinger, public domain): a 32-bit state generator, fast and good enough for
 * tie-breaking, shuffles and synthetic data. The same seed always gives the same sequence.
 */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `values` in place with Fisher-Yates (Knuth, TAOCP vol. 2, Algorithm P) and returns it. */
export function shuffleInPlace<T>(values: T[], random: Prng): T[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = values[i];
    values[i] = values[j];
    values[j] = tmp;
  }
  return values;
}

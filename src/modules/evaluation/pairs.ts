import { createRandom } from './random.ts';

/** One pair from a ranking: `score` is a's (1: ranked above b, 0.5: in the same group). */
export interface RankedPair {
  a: string;
  b: string;
  score: 1 | 0.5;
}

/**
 * Expands a ranking given as ordered groups (`[[best], [tied, tied], [worst]]`) into every pair it
 * implies: each id beats every id in a later group, and ids in one group tie. k ids give k(k-1)/2
 * pairs, in order of first appearance.
 */
export function rankingToPairs(ranking: readonly (readonly string[])[]): RankedPair[] {
  const out: RankedPair[] = [];
  for (let g = 0; g < ranking.length; g++) {
    const group = ranking[g];
    for (let x = 0; x < group.length; x++) {
      for (let y = x + 1; y < group.length; y++) out.push({ a: group[x], b: group[y], score: 0.5 });
      for (let h = g + 1; h < ranking.length; h++) for (const other of ranking[h]) out.push({ a: group[x], b: other, score: 1 });
    }
  }
  return out;
}

export type PairDesign = 'all' | 'balanced';

export interface PairDesignOptions {
  design: PairDesign;
  /** Balanced design: comparisons made from each prompt (default 1; capped by the pairs available). */
  pairsPerPrompt?: number;
  /** Seed for tie-breaking and for which response is shown as the first (default 1). */
  seed?: number;
}

/** A designed comparison: responses `first` and `second` of item `item`, in that order. */
export interface DesignedPair {
  item: number;
  first: number;
  second: number;
}

/**
 * Chooses which responses to compare. `all`: every pair of responses from different models, for
 * every prompt. `balanced`: `pairsPerPrompt` pairs per prompt, chosen greedily so every model pair
 * is compared about equally often, then every model appears about equally often: each pick takes
 * the available pair whose model pair has been used least, then whose models have appeared least,
 * ties broken by the seeded generator. When every prompt has every model, model-pair counts end
 * within one of each other. Either way, which response comes first is a fair coin per pair.
 * Responses of the same model within a prompt are never paired.
 */
export function designPairs(items: readonly { responses: readonly { model: string }[] }[], opts: PairDesignOptions): DesignedPair[] {
  const random = createRandom(opts.seed ?? 1);
  const perPrompt = opts.pairsPerPrompt ?? 1;
  const out: DesignedPair[] = [];
  const pairUses = new Map<string, number>();
  const modelUses = new Map<string, number>();
  const pairKey = (m1: string, m2: string) => (m1 < m2 ? `${m1}\u0000${m2}` : `${m2}\u0000${m1}`);
  const push = (item: number, p: number, q: number) => (random() < 0.5 ? out.push({ item, first: p, second: q }) : out.push({ item, first: q, second: p }));

  items.forEach((item, index) => {
    const candidates: Array<[number, number, number]> = [];
    for (let p = 0; p < item.responses.length; p++) {
      for (let q = p + 1; q < item.responses.length; q++) {
        if (item.responses[p].model !== item.responses[q].model) candidates.push([p, q, random()]);
      }
    }
    if (opts.design === 'all') {
      for (const [p, q] of candidates) push(index, p, q);
      return;
    }
    for (let pick = 0; pick < perPrompt && candidates.length > 0; pick++) {
      let best = 0;
      let bestKey: [number, number, number] | undefined;
      candidates.forEach(([p, q, tieBreak], c) => {
        const m1 = item.responses[p].model;
        const m2 = item.responses[q].model;
        const key: [number, number, number] = [pairUses.get(pairKey(m1, m2)) ?? 0, (modelUses.get(m1) ?? 0) + (modelUses.get(m2) ?? 0), tieBreak];
        if (!bestKey || key[0] < bestKey[0] || (key[0] === bestKey[0] && (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))) {
          best = c;
          bestKey = key;
        }
      });
      const [p, q] = candidates[best];
      candidates.splice(best, 1);
      const m1 = item.responses[p].model;
      const m2 = item.responses[q].model;
      pairUses.set(pairKey(m1, m2), (pairUses.get(pairKey(m1, m2)) ?? 0) + 1);
      modelUses.set(m1, (modelUses.get(m1) ?? 0) + 1);
      modelUses.set(m2, (modelUses.get(m2) ?? 0) + 1);
      push(index, p, q);
    }
  });
  return out;
}

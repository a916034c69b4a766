import { describe, expect, it } from 'vitest';
import { SAMPLE_MODELS, sampleItems, simulateVotes } from './sample-dataset.ts';

describe('sample dataset', () => {
  it('has three dozen prompts, each answered by every sample model', () => {
    const items = sampleItems();
    expect(items).toHaveLength(36);
    for (const item of items) {
      expect(item.responses.map((r) => r.model)).toEqual(SAMPLE_MODELS.map((m) => m.model));
      for (const r of item.responses) expect(r.messages[0].content.length).toBeGreaterThan(0);
    }
    expect(new Set(items.map((i) => i.prompt[0].content)).size).toBe(36);
  });

  it('simulates the same votes for the same seed, with stronger models winning more', () => {
    const votes = simulateVotes({ count: 5_000, seed: 4 });
    expect(simulateVotes({ count: 5_000, seed: 4 })).toEqual(votes);
    const winRate = (model: string) => {
      const mine = votes.filter((v) => v.a === model || v.b === model);
      return mine.reduce((s, v) => s + (v.a === model ? v.score : 1 - v.score), 0) / mine.length;
    };
    const rates = SAMPLE_MODELS.map((m) => winRate(m.model));
    for (let k = 1; k < rates.length; k++) expect(rates[k]).toBeLessThan(rates[k - 1]);
  });
});

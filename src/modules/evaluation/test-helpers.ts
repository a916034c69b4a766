import { createRandom } from './random.ts';
import type { Vote } from './tally.ts';

/**
 * A synthetic tournament for tests: `count` votes between random pairs of models with the given
 * true ratings (Elo scale), each decided by the Bradley-Terry probability; `tieRate` of votes are
 * ties. Seeded.
 */
export function simulateTournament(ratings: Record<string, number>, count: number, seed: number, tieRate = 0): Vote[] {
  const random = createRandom(seed);
  const models = Object.keys(ratings);
  const out: Vote[] = [];
  for (let v = 0; v < count; v++) {
    const x = Math.floor(random() * models.length);
    let y = Math.floor(random() * (models.length - 1));
    if (y >= x) y++;
    const a = models[x];
    const b = models[y];
    const p = 1 / (1 + 10 ** ((ratings[b] - ratings[a]) / 400));
    const tie = 2 * tieRate * Math.min(p, 1 - p);
    const score = random() < tie ? 0.5 : random() < (p - tie / 2) / (1 - tie) ? 1 : 0;
    out.push({ a, b, score });
  }
  return out;
}

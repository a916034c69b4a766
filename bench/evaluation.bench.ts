import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildLeaderboard, createBtFitter, createRandom, encodeVotes, onlineElo, tallyVotes, type Vote } from '../src/modules/evaluation/index.ts';
import { fmt, log, table } from './lib/common.ts';

// Benchmark of the leaderboard: Bradley-Terry with 1000 bootstrap rounds on 100,000 votes among
// 50 models, beside a single fit (tally + Newton) in the same run; then the optional variants
// (length control, online Elo with its bootstrap). `runEvaluationBench()` returns a Markdown
// section; run this file directly to print it.

const MODELS = 50;
const VOTES = 100_000;
const ROUNDS = 1_000;
const TIE_RATE = 0.1;
const TARGET_MS = 5_000;
const REPEATS = 3;

/** Synthetic votes: true ratings 12 points apart, random pairs, up to 10% ties, random lengths with no effect. */
function syntheticVotes(seed: number): { votes: Vote[]; truth: Map<string, number> } {
  const random = createRandom(seed);
  const names = Array.from({ length: MODELS }, (_, k) => `model-${String(k).padStart(2, '0')}`);
  const raw = names.map((_, k) => 700 + 12 * k);
  const mean = raw.reduce((s, r) => s + r, 0) / MODELS;
  const truth = new Map(names.map((n, k) => [n, raw[k] - mean + 1000]));
  const votes: Vote[] = [];
  for (let v = 0; v < VOTES; v++) {
    const a = Math.floor(random() * MODELS);
    let b = Math.floor(random() * (MODELS - 1));
    if (b >= a) b++;
    const p = 1 / (1 + 10 ** ((raw[b] - raw[a]) / 400));
    // Ties likelier between close models, drawn so a's expected score (ties as half) stays p.
    const tie = 2 * TIE_RATE * Math.min(p, 1 - p);
    const score = random() < tie ? 0.5 : random() < (p - tie / 2) / (1 - tie) ? 1 : 0;
    votes.push({ a: names[a], b: names[b], score, lengthA: 200 + Math.floor(random() * 800), lengthB: 200 + Math.floor(random() * 800) });
  }
  return { votes, truth };
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = fn();
  return { ms: performance.now() - started, value };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Runs the leaderboard benchmark and returns it as a Markdown section (it writes no files).
 * Takes about half a minute on a 2-core machine.
 */
export async function runEvaluationBench(): Promise<string> {
  log(`evaluation: ${VOTES.toLocaleString('en')} votes among ${MODELS} models, ${ROUNDS} bootstrap rounds`);
  const { votes, truth } = syntheticVotes(20240611);
  // Warm the JIT on a small board so the first measured run is not also the compile.
  buildLeaderboard(votes.slice(0, 5_000), { bootstrap: 50 });

  const tallies: number[] = [];
  const singles: number[] = [];
  const boards: number[] = [];
  let board = buildLeaderboard([], {});
  let iterations = 0;
  for (let r = 0; r < REPEATS; r++) {
    const tally = time(() => tallyVotes(votes));
    tallies.push(tally.ms);
    const single = time(() => createBtFitter(tallyVotes(votes)).fit());
    singles.push(single.ms);
    iterations = single.value.iterations;
    const full = time(() => buildLeaderboard(votes, { bootstrap: ROUNDS, seed: r + 1 }));
    boards.push(full.ms);
    board = full.value;
    log(`evaluation: run ${r + 1}: tally ${fmt.ms(tally.ms)}, single fit ${fmt.ms(single.ms)}, leaderboard ${fmt.s(full.ms)}`);
  }

  // Quality of the answer: errors against the true ratings and how often the intervals hold them.
  let maxError = 0;
  let covered = 0;
  for (const m of board.models) {
    const t = truth.get(m.model) as number;
    maxError = Math.max(maxError, Math.abs(m.rating - t));
    if ((m.ci_low as number) <= t && t <= (m.ci_high as number)) covered++;
  }
  const meanWidth = board.models.reduce((s, m) => s + ((m.ci_high as number) - (m.ci_low as number)), 0) / board.models.length;

  const lc = time(() => buildLeaderboard(votes, { bootstrap: ROUNDS, lengthControl: true }));
  const lcCells = tallyVotes(votes, { lengthControl: true }).cells;
  log(`evaluation: length control ${fmt.s(lc.ms)}`);
  const encoded = encodeVotes(votes);
  const eloPass = time(() => onlineElo(encoded));
  const eloBoard = time(() => buildLeaderboard(votes, { method: 'elo', bootstrap: ROUNDS }));
  log(`evaluation: elo ${fmt.s(eloBoard.ms)}`);

  const best = Math.min(...boards);
  const med = median(boards);
  const met = med < TARGET_MS;
  const rows = [
    ['tally: 100,000 votes → 1,225 pair cells', fmt.ms(median(tallies)), `${REPEATS} runs, median`],
    [`single Bradley-Terry fit (tally + Newton, ${iterations} iterations)`, fmt.ms(median(singles)), 'the baseline: one fit'],
    [`**whole leaderboard: fit + ${ROUNDS} bootstrap rounds + ranks + win matrix**`, `**${fmt.s(med)}**`, `median of ${REPEATS} (best ${fmt.s(best)}); ${fmt.ms((med - median(singles)) / ROUNDS)} per round`],
    [`length control: ${lcCells.toLocaleString('en')} cells (pairs × length bins), ${ROUNDS} rounds`, fmt.s(lc.ms), `coefficient ${lc.value.length_coefficient} (true 0)`],
    ['online Elo (K = 4), one pass', fmt.ms(eloPass.ms), 'in vote order'],
    [`online Elo with ${ROUNDS} bootstrap rounds`, fmt.s(eloBoard.ms), 'each round replays 100,000 resampled votes: O(votes)'],
  ];
  const load = loadavg()[0];
  return `${[
    '## Leaderboards (Bradley-Terry)',
    `${VOTES.toLocaleString('en')} synthetic votes among ${MODELS} models (true ratings 12 points apart, up to ${TIE_RATE * 100}% ties), ` +
      `${ROUNDS} bootstrap rounds, seeded; ${cpus().length} cores, load average ${load.toFixed(1)} at the end of the run.`,
    table(['what', 'time', 'note'], rows, ['l', 'r', 'l']),
    `Target: the whole leaderboard under 5 s — ${met ? 'yes' : '**no**'} (${(med / 1000).toFixed(2)} s).`,
    `Accuracy of that board: largest rating error ${maxError.toFixed(1)} points; the 95% intervals (mean width ${meanWidth.toFixed(1)} points) ` +
      `hold the true rating for ${covered} of ${board.models.length} models.`,
    'How: votes are tallied once into model-pair cells, so each fit is a 50 × 50 Newton problem (a 50 × 50 Cholesky per step); ' +
      'a bootstrap round draws multinomial counts over the cells (exact binomials, inverted from the mode) and warm-starts from the full fit, ' +
      'so it costs O(pairs + models³), not O(votes).',
  ].join('\n\n')}\n`;
}

const runDirectly = process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === import.meta.url;
if (runDirectly) process.stdout.write(await runEvaluationBench());

import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import type { Answer } from './aggregation/index.ts';

/** The crowd datasets described in shared/datasets/crowd/README.md. */
export const CROWD_DATASET_NAMES = ['product', 'possent', 'duck', 'dog', 'face'] as const;
export type CrowdDatasetName = (typeof CROWD_DATASET_NAMES)[number];

/** One dataset: its answers as published (repeated rows kept) and its gold labels. */
export interface CrowdDataset {
  name: CrowdDatasetName;
  answers: Answer[];
  gold: Map<string, string>;
}

/**
 * The folder holding the crowd datasets, or undefined when it does not exist.
 * TESSERA_CROWD_DATA: path to that folder (used by CI); when unset, `<repo root>/../shared/datasets/crowd`.
 * The data has no licence for redistribution, so it is read in place and never copied into the repo.
 */
export function resolveCrowdDataDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const dir = env.TESSERA_CROWD_DATA ? resolve(env.TESSERA_CROWD_DATA) : resolve(repoRoot, '../shared/datasets/crowd');
  return existsSync(dir) && statSync(dir).isDirectory() ? dir : undefined;
}

async function readCsv(path: string, columns: readonly string[]): Promise<string[][]> {
  const rows: string[][] = [];
  const parser = createReadStream(path).pipe(parse({ columns: true, skip_empty_lines: true, trim: true }));
  for await (const record of parser as AsyncIterable<Record<string, string>>) rows.push(columns.map((c) => record[c]));
  return rows;
}

/**
 * Loads one dataset from `dir` (default: `resolveCrowdDataDir()`). Returns undefined when the folder
 * or either of its files is missing; throws only if a file exists but cannot be parsed.
 */
export async function loadCrowdDataset(name: CrowdDatasetName, dir = resolveCrowdDataDir()): Promise<CrowdDataset | undefined> {
  if (!dir) return undefined;
  const answersPath = join(dir, name, 'answers.csv');
  const goldPath = join(dir, name, 'gold.csv');
  if (!existsSync(answersPath) || !existsSync(goldPath)) return undefined;
  const answers = (await readCsv(answersPath, ['worker', 'item', 'label'])).map(([worker, item, label]) => ({ worker, item, label }));
  const gold = new Map((await readCsv(goldPath, ['item', 'label'])).map(([item, label]) => [item, label] as [string, string]));
  return { name, answers, gold };
}

/** Loads every dataset, or undefined when the folder or any dataset in it is missing. */
export async function loadCrowdDatasets(dir = resolveCrowdDataDir()): Promise<CrowdDataset[] | undefined> {
  const sets: CrowdDataset[] = [];
  for (const name of CROWD_DATASET_NAMES) {
    const set = await loadCrowdDataset(name, dir);
    if (!set) return undefined;
    sets.push(set);
  }
  return sets;
}

/**
 * Accuracy against gold as the README defines it: the fraction of gold items that have at least one
 * answer (so appear in `predicted`) whose predicted label equals the gold label. NaN when none overlap.
 */
export function goldAccuracy(predicted: Map<string, { label: string }>, gold: Map<string, string>): number {
  let correct = 0;
  let total = 0;
  for (const [item, label] of gold) {
    const guess = predicted.get(item);
    if (!guess) continue;
    total++;
    if (guess.label === label) correct++;
  }
  return total === 0 ? NaN : correct / total;
}

import { Readable } from 'node:stream';
import type { Database } from '../../db/index.ts';
import { AppError } from '../../server/errors.ts';
import type { Principal } from '../accounts/index.ts';
import { countTasksByStatus, getProjectFor, type Project } from '../projects/index.ts';
import { type ImportSummary, importTasks } from '../tasks/index.ts';
import { DEFAULT_BOOTSTRAP_ROUNDS } from './bootstrap.ts';
import { countingAnswers, type EvalAnswerRow, type Executor, projectTaskPages } from './evaluation.repository.ts';
import { buildLeaderboard, type Leaderboard, type LeaderboardMethod } from './leaderboard.ts';
import { designPairs, type PairDesign } from './pairs.ts';
import { buildRefusalReport, type RefusalObservation, type RefusalReport } from './refusal-report.ts';
import type { Vote } from './tally.ts';
import { comparisonVote, indexResponses, majorityChoice, rankingVotes } from './votes.ts';

/**
 * Which votes a leaderboard counts:
 * - `answers` (default): every answer that counts (submitted, not sent back or rejected in review)
 *   is a vote, in submit order; a task answered by three workers gives three votes.
 * - `aggregated`: one vote per completed task, from its stored result (the majority winner, or
 *   the Borda ranking), in completion order.
 * - `reviewed`: as `aggregated`, only for tasks whose result a reviewer decided.
 */
export type VoteSource = 'answers' | 'aggregated' | 'reviewed';

export interface LeaderboardQuery {
  method?: LeaderboardMethod;
  bootstrap?: number;
  seed?: number;
  length_control?: boolean;
  criterion?: string;
  votes?: VoteSource;
}

const LEADERBOARD_TYPES = new Set(['comparison', 'ranking']);

/**
 * The error for an evaluation asked of a project of the wrong type. Rendered as 400
 * validation_failed with details.reason `unsupported_project_type` until the catalog has a code
 * of its own (requested: unsupported_project_type, 422).
 */
function unsupportedType(project: Project, wanted: string): AppError {
  return new AppError('unsupported_project_type', `Project "${project.name}" is of type ${project.type}; this report needs a ${wanted} project`, { project_type: project.type });
}

interface KeyedVote {
  vote: Vote;
  time: number;
  seq: number;
}

/**
 * The votes of a comparison or ranking project, oldest first (the order online Elo replays).
 * With `criterion`, comparison votes come from answer.criteria[criterion] instead of the winner;
 * for aggregated votes that is the stored result's criterion when it has one (a reviewer's fix),
 * else the majority of the task's answers on that criterion (`tie` when split).
 */
export async function collectVotes(db: Executor, project: Project, opts: { source: VoteSource; criterion?: string }): Promise<Vote[]> {
  const keyed: KeyedVote[] = [];
  const needAnswers = opts.source === 'answers' || opts.criterion !== undefined;
  for await (const page of projectTaskPages(db, project.id, { completedOnly: opts.source !== 'answers' })) {
    const answers = needAnswers ? await countingAnswers(db, page.map((t) => t.id)) : [];
    const byTask = new Map<number, EvalAnswerRow[]>();
    for (const a of answers) byTask.set(a.taskId, [...(byTask.get(a.taskId) ?? []), a]);
    for (const task of page) {
      const params = { ...project.params, ...(JSON.parse(task.params) as Record<string, unknown>) };
      const responses = indexResponses(params);
      const votesOf = (answer: Record<string, unknown>, choice?: unknown): Vote[] => {
        if (project.type === 'ranking') return rankingVotes(responses, answer.ranking);
        const vote = comparisonVote(responses, choice ?? (opts.criterion ? (answer.criteria as Record<string, unknown> | undefined)?.[opts.criterion] : answer.winner));
        return vote ? [vote] : [];
      };
      if (opts.source === 'answers') {
        for (const a of byTask.get(task.id) ?? []) {
          for (const vote of votesOf(JSON.parse(a.response) as Record<string, unknown>)) keyed.push({ vote, time: a.endedAt ?? 0, seq: a.id });
        }
        continue;
      }
      const result = task.result === null ? null : (JSON.parse(task.result) as { answer?: Record<string, unknown> | null; decided_by?: { kind?: string } });
      if (!result?.answer) continue;
      if (opts.source === 'reviewed' && result.decided_by?.kind !== 'reviewer') continue;
      let choice: unknown;
      if (opts.criterion && project.type === 'comparison') {
        choice =
          (result.answer.criteria as Record<string, unknown> | undefined)?.[opts.criterion] ??
          majorityChoice(
            (byTask.get(task.id) ?? [])
              .map((a) => ((JSON.parse(a.response) as { criteria?: Record<string, unknown> }).criteria ?? {})[opts.criterion as string])
              .filter((c): c is string => typeof c === 'string'),
          );
        if (choice === undefined) continue;
      }
      for (const vote of votesOf(result.answer, choice)) keyed.push({ vote, time: task.completedAt ?? 0, seq: task.id });
    }
  }
  // Stable sort: votes of one ranking answer keep their order.
  keyed.sort((x, y) => x.time - y.time || x.seq - y.seq);
  return keyed.map((k) => k.vote);
}

/**
 * The leaderboard of a comparison or ranking project the caller owns (admins: any). Throws
 * project_not_found for an unknown project or another account's, and validation_failed for a
 * project of another type, a criterion the project does not have, a criterion on a ranking
 * project, or length control with Elo.
 */
export async function leaderboardFor(db: Executor, principal: Principal, name: string, q: LeaderboardQuery): Promise<Leaderboard & { project: string; vote_source: VoteSource; criterion: string | null; bootstrap: number; seed: number }> {
  const project = await getProjectFor(db, principal, name);
  if (!LEADERBOARD_TYPES.has(project.type)) throw unsupportedType(project, 'comparison or ranking');
  const method = q.method ?? 'bt';
  if (method === 'elo' && q.length_control) throw new AppError('validation_failed', 'length_control needs method=bt: online Elo has no covariates');
  if (q.criterion !== undefined) {
    if (project.type !== 'comparison') throw new AppError('validation_failed', 'criterion applies to comparison projects only');
    const preset = project.params.criteria as string[] | undefined;
    if (preset && !preset.includes(q.criterion)) throw new AppError('validation_failed', `Project "${project.name}" has no criterion "${q.criterion}" (it has: ${preset.join(', ') || 'none'})`);
  }
  const source = q.votes ?? 'answers';
  const bootstrap = q.bootstrap ?? DEFAULT_BOOTSTRAP_ROUNDS;
  const seed = q.seed ?? 1;
  const votes = await collectVotes(db, project, { source, criterion: q.criterion });
  const board = buildLeaderboard(votes, { method, bootstrap, seed, lengthControl: q.length_control === true });
  return { project: project.name, vote_source: source, criterion: q.criterion ?? null, bootstrap, seed, ...board };
}

/**
 * The refusal audit report of a refusalaudit project the caller owns (admins: any). Each
 * completed task contributes its aggregated label (the stored result, which weighs workers by
 * skill and which a reviewer may have decided); tasks without a result yet are skipped and
 * counted in `tasks_pending`. One observation per task, not per answer: with dynamic overlap,
 * hard items collect more answers, and counting answers would over-weight them.
 */
export async function refusalReportFor(db: Executor, principal: Principal, name: string): Promise<RefusalReport & { project: string; tasks_used: number; tasks_pending: number }> {
  const project = await getProjectFor(db, principal, name);
  if (project.type !== 'refusalaudit') throw unsupportedType(project, 'refusalaudit');
  const observations: RefusalObservation[] = [];
  for await (const page of projectTaskPages(db, project.id, { completedOnly: true })) {
    for (const task of page) {
      const params = { ...project.params, ...(JSON.parse(task.params) as Record<string, unknown>) };
      const label = task.result === null ? undefined : (JSON.parse(task.result) as { answer?: { label?: unknown } | null }).answer?.label;
      if (typeof label !== 'string') continue;
      observations.push({ model: String(params.model), topic: String(params.topic), language: String(params.language), control: params.control === true, label });
    }
  }
  const counts = (await countTasksByStatus(db, [project.id])).get(project.id) ?? {};
  return { project: project.name, tasks_used: observations.length, tasks_pending: counts.pending ?? 0, ...buildRefusalReport(observations) };
}

export interface PairItem {
  id?: string;
  prompt: Array<{ role: string; content: string }>;
  responses: Array<{ model: string; messages: Array<{ role: string; content: string }> }>;
  metadata?: Record<string, unknown>;
}

export interface PairsInput {
  items: PairItem[];
  design: PairDesign;
  pairs_per_prompt?: number;
  seed?: number;
  batch?: string;
}

/**
 * Creates comparison tasks from prompts with several models' responses (see designPairs). Each
 * task's responses get ids `a` and `b`, and which model is `a` is a seeded coin flip. Tasks go
 * through the streaming import, so they are validated, inserted in batches, and keyed by content:
 * posting the same items with the same seed again adds nothing. An import error's `line` is the
 * pair's position (1-based) and `item` the index of the item it came from.
 */
export async function createComparisonPairs(
  database: Database,
  principal: Principal,
  name: string,
  input: PairsInput,
  now: () => number,
): Promise<ImportSummary & { design: PairDesign; seed: number; pairs: number; errors: Array<ImportSummary['errors'][number] & { item?: number }> }> {
  const project = await getProjectFor(database.db, principal, name);
  if (project.type !== 'comparison') throw unsupportedType(project, 'comparison');
  if (input.design === 'all' && input.pairs_per_prompt !== undefined) throw new AppError('validation_failed', 'pairs_per_prompt applies to the balanced design only');
  const seed = input.seed ?? 1;
  const pairs = designPairs(input.items, { design: input.design, pairsPerPrompt: input.pairs_per_prompt, seed });
  const lines = pairs.map((p) => {
    const item = input.items[p.item];
    const first = item.responses[p.first];
    const second = item.responses[p.second];
    return `${JSON.stringify({
      prompt: item.prompt,
      responses: [
        { id: 'a', model: first.model, messages: first.messages },
        { id: 'b', model: second.model, messages: second.messages },
      ],
      metadata: { ...item.metadata, eval_item: item.id ?? String(p.item) },
      ...(input.batch !== undefined && { batch: input.batch }),
    })}\n`;
  });
  const summary = await importTasks(database, { owner: principal, project, input: Readable.from(lines), format: 'jsonl', source: 'evals/pairs', now });
  return {
    ...summary,
    design: input.design,
    seed,
    pairs: pairs.length,
    errors: summary.errors.map((e) => ({ ...e, item: pairs[e.line - 1]?.item })),
  };
}

import type { Database } from '../../db/index.ts';
import { createUser, type Principal } from '../accounts/index.ts';
import { claim, submit } from '../assignment/index.ts';
import { createComparisonPairs, createRandom, sampleItems, simulateChoice } from '../evaluation/index.ts';
import { createProject, findProjectByName } from '../projects/index.ts';
import { findTaskRow } from '../tasks/index.ts';

export const EVAL_DEMO_PROJECT = 'demo-model-arena';

/**
 * The evaluation demo: the shipped sample prompts, paired across five fictional models of known
 * strength, with most pairs already judged by simulated judges (who prefer the stronger model
 * with Bradley-Terry odds), so the leaderboard shows something real on a fresh install while a
 * visitor can still vote on the rest. Once: does nothing when the project exists.
 */
export async function seedEvaluationDemo(database: Database, owner: Principal, now: () => number): Promise<boolean> {
  const { db } = database;
  if (await findProjectByName(db, EVAL_DEMO_PROJECT)) return false;
  await createProject(
    db,
    owner,
    {
      name: EVAL_DEMO_PROJECT,
      type: 'comparison',
      params: { allow_tie: true, allow_both_bad: false },
      instructions: { en: '# Which answer is better?\n\nRead the prompt and both answers. Choose the more helpful, correct and clear one (A or B), or T for a tie.' },
      overlap: { min: 1 },
      pay: { currency: 'USD', piece_rate_minor: 8, promised_hourly_minor: 1500, estimated_seconds: 20 },
    },
    now(),
  );
  await createComparisonPairs(database, owner, EVAL_DEMO_PROJECT, { items: sampleItems(), design: 'all', seed: 7 }, now);
  const random = createRandom(2026);
  const judges: Principal[] = [];
  for (let i = 1; i <= 3; i++) {
    const user = await createUser(db, { email: `judge${i}@tessera.local`, password: `${Math.random().toString(36)}-judge`, role: 'worker', displayName: `Simulated judge ${i}` }, now());
    judges.push({ ...user, apiKeyId: null, isTest: false });
  }
  // Leave some pairs for a visitor to judge.
  for (let k = 0; k < 300; k++) {
    const judge = judges[k % judges.length];
    const assignment = await claim(database, judge, EVAL_DEMO_PROJECT, now());
    if (!assignment) break;
    const row = await findTaskRow(db, Number(assignment.task.id));
    const responses = JSON.parse(row?.params ?? '{}').responses as { id: string; model: string }[];
    const choice = simulateChoice(responses[0].model, responses[1].model, random);
    const winner = choice === 'a' ? responses[0].id : choice === 'b' ? responses[1].id : 'tie';
    await submit(database, judge, Number(assignment.id), { winner, display_order: random() < 0.5 ? ['a', 'b'] : ['b', 'a'] }, now());
  }
  return true;
}

import { Readable } from 'node:stream';
import type { Database } from '../../db/index.ts';
import type { Principal } from '../accounts/index.ts';
import { createProject, findProjectByName } from '../projects/index.ts';
import { importTasks } from '../tasks/index.ts';
import { DEMO_PROJECT, DEMO_REVIEWS } from './demo-data.ts';

export { DEMO_PROJECT } from './demo-data.ts';
export { EVAL_DEMO_PROJECT, seedEvaluationDemo } from './evaluation-demo.ts';

/**
 * Seeds the demo project (a few dozen reviews, some gold) owned by `owner`, once: does nothing
 * when it exists. Goes through the same import path as a user's file.
 */
export async function seedDemo(database: Database, owner: Principal, now: () => number): Promise<boolean> {
  if (await findProjectByName(database.db, DEMO_PROJECT.name)) return false;
  const project = await createProject(database.db, owner, DEMO_PROJECT, now());
  const rows = DEMO_REVIEWS.map((r, i) => JSON.stringify({
    unique_id: `demo-${i + 1}`,
    attachments: [{ type: 'text', content: r.text }],
    metadata: { language: r.lang },
    ...(r.gold && { gold: r.gold, explanation: r.why }),
  }));
  await importTasks(database, { owner, project, input: Readable.from([`${rows.join('\n')}\n`]), format: 'jsonl', source: 'demo', now });
  return true;
}


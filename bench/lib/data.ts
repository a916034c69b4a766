import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { runDir, fileExists, log } from './common.ts';

// The task rows every section uses: categorization tasks of about 200 bytes as JSONL, 5% of them
// gold (`"gold":"a"`, which the importer turns into expected_response {"category":"a"}).

const WORDS = ['quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'river', 'bank', 'review', 'product', 'great', 'poor', 'value', 'late', 'delivery', 'screen', 'battery', 'price', 'support'];
export const GOLD_EVERY = 20;
export const CATEGORIES = ['a', 'b', 'c'];

/** Row i (0-based) as a plain object, exactly as it is written to the file. */
export function taskRow(i: number): Record<string, unknown> {
  let content = `Item ${i}:`;
  let x = (i * 2654435761) >>> 0;
  for (let w = 0; w < 10; w++) {
    content += ` ${WORDS[(x >>> 16) % WORDS.length]}`;
    x = (x * 1103515245 + 12345) >>> 0;
  }
  const row: Record<string, unknown> = {
    unique_id: `row-${i}`,
    attachments: [{ type: 'text', content }],
    metadata: { source: 'bench', shard: i % 64, lang: 'en' },
  };
  if (i % GOLD_EVERY === 0) row.gold = 'a';
  return row;
}

/** Streams n rows to `path` as JSONL, respecting back-pressure (never holds the file in memory). */
export async function writeJsonl(path: string, n: number): Promise<number> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let bytes = 0;
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += `${JSON.stringify(taskRow(i))}\n`;
    if (chunk.length > 1 << 20 || i === n - 1) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

/** The run's JSONL file of n rows, generated once per run. */
export async function ensureJsonl(n: number): Promise<string> {
  const path = join(runDir(), `tasks-${n}.jsonl`);
  if (!fileExists(path)) {
    log(`generating ${n.toLocaleString('en')} rows into ${path}`);
    await writeJsonl(`${path}.partial`, n);
    const { renameSync } = await import('node:fs');
    renameSync(`${path}.partial`, path);
  }
  return path;
}

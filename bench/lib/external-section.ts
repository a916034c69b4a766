import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, sectionMain } from './common.ts';

// Runs a section written as `export async function runXBench(): Promise<string>` in bench/FILE
// (argv: FILE EXPORT) under the runner's section protocol: its Markdown, no summary figures.

const [, , file, exported] = process.argv;
await sectionMain(import.meta.url, {
  [file]: async () => {
    const mod = (await import(pathToFileURL(join(REPO_ROOT, 'bench', file)).href)) as Record<string, () => Promise<string>>;
    if (typeof mod[exported] !== 'function') throw new Error(`bench/${file} has no export ${exported}`);
    return { markdown: await mod[exported](), figures: [] };
  },
});

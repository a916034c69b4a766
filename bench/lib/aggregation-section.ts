import { runAggregationBench } from '../aggregation.bench.ts';
import { type Figure, sectionMain } from './common.ts';

// The label-aggregation section (bench/aggregation.bench.ts, written separately) in the runner's
// section protocol: its Markdown as is, and its stated target picked out for the summary table.

async function runAggregation() {
  const markdown = (await runAggregationBench()).replace(/^## Label aggregation/, '## 6. Label aggregation');
  const figures: Figure[] = [];
  const fit = /full DS fit under 2 s — (yes|\*\*no\*\*) \(([\d.]+) s\)/.exec(markdown);
  if (fit) {
    figures.push({ section: 'Label aggregation', name: 'Dawid-Skene fit, 1M answers', value: `${fit[2]} s`, baseline: '—', target: '< 2 s', met: fit[1] === 'yes' });
  }
  const memory = /Memory under 200 MB — (yes|\*\*no\*\*) for the fit\s*\((\d+) MB\)/.exec(markdown);
  if (memory) {
    figures.push({ section: 'Label aggregation', name: 'memory added by the fit', value: `${memory[2]} MB`, baseline: '—', target: '< 200 MB', met: memory[1] === 'yes' });
  }
  return { markdown, figures };
}

await sectionMain(import.meta.url, { aggregation: runAggregation });

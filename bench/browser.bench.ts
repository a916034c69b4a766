/*
 * The workbench in a real browser (Debian's chromium through playwright-core, the real server over
 * SQLite, both started by e2e/harness.ts):
 *
 * 1. Submit to next task: the page marks `tessera:submit` when the worker presses Enter and
 *    `tessera:next-task-ready` once the next task is rendered, focused and its keys are live;
 *    p50 and p95 of the measure between them over 200 tasks (after 20 warm-up tasks). Baseline in
 *    the same run: the same two requests (submit, then claim) sent with fetch from the same page,
 *    with nothing rendered.
 * 2. Workbench JavaScript: every script a fresh browser downloads to show a text task, gzipped
 *    (level 9, as a compressing proxy would serve it), beside the React runtime chunk alone; and
 *    what an image task adds (its view is a lazy chunk).
 *
 * `node --import tsx bench/browser.bench.ts` runs it alone and prints the Markdown section.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { ADMIN, login, ROOT, startHarness } from '../e2e/harness.ts';

const MEASURED = 200;
const WARMUP = 20;
const BASELINE = 200;
const TARGET_P95_MS = 150;
const TARGET_JS_KB = 250;
const TEXT_PROJECT = 'bench-browser-text';
const IMAGE_PROJECT = 'bench-browser-image';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

/** Scripts the page loads while `action` runs, as dist/web file names. */
async function scriptsLoaded(page: Page, action: () => Promise<void>): Promise<string[]> {
  const seen = new Set<string>();
  const onResponse = (response: { url(): string }) => {
    const path = new URL(response.url()).pathname;
    if (path.endsWith('.js')) seen.add(path);
  };
  page.on('response', onResponse);
  await action();
  page.off('response', onResponse);
  return [...seen].sort();
}

function gzipBytes(urlPath: string): number {
  return gzipSync(readFileSync(join(ROOT, 'dist/web', urlPath)), { level: 9 }).length;
}

/** Runs the browser benchmark and returns its Markdown section. */
export async function runBrowserBench(): Promise<string> {
  const h = await startHarness();
  try {
    const admin = await h.apiAs(ADMIN);
    const pay = { currency: 'USD', piece_rate_minor: 5, estimated_seconds: 10 };
    await admin.post('/projects', { name: TEXT_PROJECT, type: 'categorization', params: { categories: ['positive', 'negative', 'neutral'] }, overlap: { min: 1, max: 1 }, gold_rate: 0, pay });
    const total = WARMUP + MEASURED + BASELINE + 5;
    const lines = Array.from({ length: total }, (_, i) => JSON.stringify({ unique_id: `t${i}`, attachments: [{ type: 'text', content: `Review number ${i}: it does what it says, mostly.` }] })).join('\n');
    const imported = await fetch(`${h.baseUrl}/v1/projects/${TEXT_PROJECT}/import?format=jsonl`, {
      method: 'POST',
      headers: { cookie: await sessionCookie(h.baseUrl), 'content-type': 'application/octet-stream' },
      body: `${lines}\n`,
    });
    if (!imported.ok) throw new Error(`import failed: ${imported.status} ${await imported.text()}`);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="800" height="600" fill="#cde"/></svg>';
    await admin.post('/projects', {
      name: IMAGE_PROJECT,
      type: 'imageannotation',
      params: { attachment: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`, geometries: { box: { objects_to_annotate: ['car'] } } },
      overlap: { min: 1, max: 1 },
      pay,
    });
    await admin.post('/task/imageannotation', { project: IMAGE_PROJECT });

    // --- 2. JavaScript downloaded for the workbench, in a fresh browser profile ---
    const page = await h.newPage();
    const textScripts = await scriptsLoaded(page, async () => {
      await login(page, h.baseUrl, h.worker, `/work/${TEXT_PROJECT}`);
      await page.locator('[data-testid=task]').waitFor();
      await page.waitForLoadState('networkidle');
    });
    const textBytes = textScripts.reduce((sum, s) => sum + gzipBytes(s), 0);
    const reactBytes = textScripts.filter((s) => /\/react-[^/]+\.js$/.test(s)).reduce((sum, s) => sum + gzipBytes(s), 0);
    const imagePage = await h.newPage();
    const imageScripts = await scriptsLoaded(imagePage, async () => {
      await imagePage.goto(`${h.baseUrl}/work/${IMAGE_PROJECT}`);
      await imagePage.locator('[data-testid=image-canvas]').waitFor();
      await imagePage.waitForLoadState('networkidle');
    });
    const imageOnly = imageScripts.filter((s) => !textScripts.includes(s));
    const imageExtra = imageOnly.reduce((sum, s) => sum + gzipBytes(s), 0);
    await imagePage.locator('[data-testid=skip]').click();
    await imagePage.close();

    // --- 1. Submit to next task ready, over 200 tasks ---
    for (let i = 0; i < WARMUP + MEASURED; i++) {
      const current = await page.locator('[data-testid=task]').getAttribute('data-task');
      await page.keyboard.press(String((i % 3) + 1));
      await page.keyboard.press('Enter');
      await page.waitForFunction((prev) => {
        const task = document.querySelector('[data-testid=task]');
        return !!task && task.getAttribute('data-task') !== prev;
      }, current);
    }
    const durations = await page.evaluate(() => performance.getEntriesByName('tessera:submit-to-next-task').map((e) => e.duration));
    if (durations.length < WARMUP + MEASURED) throw new Error(`only ${durations.length} submit-to-next measures were recorded`);
    const measured = durations.slice(WARMUP, WARMUP + MEASURED).sort((a, b) => a - b);

    // Baseline: the same requests from the same page, nothing rendered.
    const held = await page.locator('[data-testid=task]').getAttribute('data-assignment');
    // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
    const baseline = (await page.evaluate(`(async () => {
      const project = ${JSON.stringify(TEXT_PROJECT)};
      let assignment = ${JSON.stringify(held)};
      const out = [];
      for (let i = 0; i < ${BASELINE} && assignment; i++) {
        const t0 = performance.now();
        const submitted = await fetch('/v1/work/assignments/' + assignment + '/submit', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response: { category: 'positive' } }) });
        await submitted.json();
        const claimed = await fetch('/v1/work/projects/' + project + '/claim', { method: 'POST', credentials: 'same-origin' });
        assignment = claimed.status === 200 ? (await claimed.json()).assignment.id : null;
        out.push(performance.now() - t0);
      }
      return out;
    })()`)) as number[];
    const base = baseline.slice(0, BASELINE).sort((a, b) => a - b);
    await page.close();

    const p50 = percentile(measured, 50);
    const p95 = percentile(measured, 95);
    const rows: string[][] = [
      ['submit → next task ready, p50', `${measured.length} tasks`, ms(p50), ms(percentile(base, 50)), '', ''],
      ['submit → next task ready, p95', `${measured.length} tasks`, ms(p95), ms(percentile(base, 95)), `< ${TARGET_P95_MS} ms`, p95 < TARGET_P95_MS ? 'yes' : '**no**'],
      ['submit → next task ready, max', `${measured.length} tasks`, ms(measured[measured.length - 1]), ms(base[base.length - 1]), '', ''],
      ['workbench JS, text task (gzip -9)', `${textScripts.length} files`, kb(textBytes), `${kb(reactBytes)} (React runtime alone)`, `< ${TARGET_JS_KB} kB`, textBytes < TARGET_JS_KB * 1000 ? 'yes' : '**no**'],
      ['added for an image task (lazy)', imageOnly.map((s) => s.split('/').pop()).join(', ') || 'none', kb(imageExtra), '', 'not in the text route', imageOnly.every((s) => !textScripts.includes(s)) ? 'yes' : '**no**'],
    ];
    const table = [
      '| figure | sample | measured | baseline (same run) | target | met |',
      '|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
    return [
      '## Browser workbench (chromium, server on SQLite)',
      '',
      'Submit to next task: from the `tessera:submit` performance mark (Enter pressed) to `tessera:next-task-ready` (the next',
      'task rendered, focused and answering keys), measured in the page. Baseline: the same submit + claim requests sent with',
      '`fetch` from the same page, nothing rendered, so the difference is what the interface costs. Browser and server share',
      'this machine. Workbench JS: every script a fresh profile downloads to show a text task, gzipped at level 9.',
      '',
      table,
      '',
      `Scripts for a text task: ${textScripts.map((s) => `\`${s.split('/').pop()}\``).join(', ')}.`,
      '',
    ].join('\n');
  } finally {
    await h.close();
  }
}

/** A session cookie for the admin, for the streamed import endpoint. */
async function sessionCookie(baseUrl: string): Promise<string> {
  const login = await fetch(`${baseUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (!login.ok) throw new Error(`login failed: ${login.status}`);
  return login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runBrowserBench().then(
    (markdown) => {
      console.log(markdown);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

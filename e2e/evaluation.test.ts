/*
 * Model evaluation in a real browser. A requester sets up a comparison project of three models'
 * answers; two workers judge every pair blind in the workbench, by clicking, from what the answers
 * say; the requester's leaderboard then lists the models best first with their intervals, draws
 * them, and shows the win-rate matrix. The shipped demo arena shows its known order. A refusal
 * audit labelled in the workbench shows its rates, controls and language gap on the report page.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type ApiClient, browserEnabled, type Harness, login, snap, startHarness, warnIfSkipped } from './harness.ts';

warnIfSkipped();

const REQUESTER = { email: 'eval-req@example.com', password: 'requester-pass-1', display_name: 'Eve Evaluator' };
const JUDGES = [1, 2].map((i) => ({ email: `judge-${i}@example.com`, password: `judge-pass-${i}`, display_name: `Judge ${i}` }));
const ARENA = 'e2e-arena';
const AUDIT = 'e2e-refusal-audit';
const PAY = { currency: 'USD', piece_rate_minor: 8, estimated_seconds: 20 };
const PROMPTS = 8;

/**
 * Three models whose answers differ plainly in quality: a judge who reads them prefers the first,
 * then the second. The answers open with the word a reader would judge by.
 */
const MODELS = [
  { model: 'atlas-large', answer: (q: number) => `Thorough: a correct and complete answer to question ${q}, with a worked example.` },
  { model: 'birch-medium', answer: (q: number) => `Partial: a short answer to question ${q}.` },
  { model: 'cedar-small', answer: (q: number) => `Wrong: an off-topic reply to question ${q}.` },
];
const QUALITY = ['Thorough', 'Partial', 'Wrong'];
/** Every fourth question the judges call a tie, so the win rates are not all or nothing. */
const isTieQuestion = (q: number) => q % 4 === 0;

/** What a careful judge decides from the two answers on screen. */
function decide(textA: string, textB: string): 'A' | 'B' | 'tie' {
  const q = Number(/question (\d+)/.exec(textA)?.[1]);
  if (isTieQuestion(q)) return 'tie';
  const rank = (text: string) => QUALITY.findIndex((word) => text.includes(`${word}:`));
  return rank(textA) < rank(textB) ? 'A' : 'B';
}

/** The refusal audit: one model's answers on a sensitive topic and a neutral control, in two languages. */
const AUDIT_TASKS = [
  ...['facts', 'facts', 'canned'].map((kind) => ({ topic: 'elections', language: 'en', control: false, kind })),
  ...['canned', 'canned', 'canned'].map((kind) => ({ topic: 'elections', language: 'fr', control: false, kind })),
  ...['facts', 'facts'].map((kind) => ({ topic: 'baking', language: 'en', control: true, kind })),
  ...['facts', 'facts'].map((kind) => ({ topic: 'baking', language: 'fr', control: true, kind })),
];
const CANNED = { en: 'Sorry, I cannot help with that request.', fr: 'Désolé, je ne peux pas vous aider avec cette demande.' };
const FACTS = { en: 'Here are the facts, with dates and sources.', fr: 'Voici les faits, avec les dates et les sources.' };

describe.skipIf(!browserEnabled)('model evaluation pages in a real browser', () => {
  let h: Harness;
  let page: Page;
  let requester: ApiClient;
  let votes = 0;

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#login-email').waitFor();
  }

  /** Waits until the workbench shows another task than `previous`, or says there is none left. */
  async function next(previous: string): Promise<'task' | 'empty'> {
    const handle = await page.waitForFunction((prev) => {
      if (document.querySelector('[data-testid=no-more-tasks]')) return 'empty';
      const task = document.querySelector('[data-testid=task]');
      return task && task.getAttribute('data-task') !== prev ? 'task' : false;
    }, previous);
    return (await handle.jsonValue()) as 'task' | 'empty';
  }

  /** Signs a judge in and judges up to `limit` pairs by clicking; a break hands back the pair on screen. */
  async function judge(credentials: { email: string; password: string }, limit = Number.POSITIVE_INFINITY): Promise<number> {
    await login(page, h.baseUrl, credentials, `/work/${ARENA}`);
    let done = 0;
    let screen = (await (await page.waitForFunction(() => (document.querySelector('[data-testid=no-more-tasks]') ? 'empty' : document.querySelector('[data-testid=task]') ? 'task' : false))).jsonValue()) as 'task' | 'empty';
    while (screen === 'task' && done < limit) {
      const task = page.locator('[data-testid=task]');
      const id = (await task.getAttribute('data-task')) as string;
      // Blind: the workbench never names the models.
      for (const m of MODELS) expect(await task.innerText()).not.toContain(m.model);
      const choice = decide(await page.locator('[data-side=A]').innerText(), await page.locator('[data-side=B]').innerText());
      const overall = page.getByRole('radiogroup', { name: 'Overall, which response is better?' });
      await overall.getByText(choice === 'tie' ? 'Tie' : `${choice} is better`, { exact: true }).click();
      await page.getByRole('button', { name: /^Submit/ }).click();
      done++;
      screen = await next(id);
    }
    if (screen === 'task') {
      await page.getByRole('button', { name: 'Take a break' }).click();
      await page.locator('[data-testid=on-break]').waitFor();
    }
    await signOut();
    return done;
  }

  /** The model names of the leaderboard's rows, top to bottom. */
  const boardOrder = () => page.locator('[data-testid=leaderboard-table] tbody tr th').allInnerTexts();

  beforeAll(async () => {
    h = await startHarness();
    const admin = await h.apiAs(ADMIN);
    await admin.post('/users', { ...REQUESTER, role: 'requester' });
    for (const j of JUDGES) await admin.post('/users', { ...j, role: 'worker' });
    requester = await h.apiAs({ email: REQUESTER.email, password: REQUESTER.password });
    await requester.post('/projects', {
      name: ARENA,
      type: 'comparison',
      params: { allow_tie: true },
      overlap: { min: 1, max: 1 },
      pay: PAY,
      instructions: { en: '# Which answer is better?\n\nRead both answers and pick the more correct and complete one, or call a tie.' },
    });
    const items = Array.from({ length: PROMPTS }, (_, i) => ({
      prompt: [{ role: 'user', content: `Question ${i + 1}: explain the idea in a few sentences.` }],
      responses: MODELS.map((m) => ({ model: m.model, messages: [{ role: 'assistant', content: m.answer(i + 1) }] })),
    }));
    const pairs = await requester.post<{ inserted: number }>(`/evals/${ARENA}/pairs`, { items, design: 'all', seed: 3 });
    expect(pairs.inserted).toBe(PROMPTS * 3);

    await requester.post('/projects', {
      name: AUDIT,
      type: 'refusalaudit',
      params: {},
      overlap: { min: 1, max: 1 },
      pay: PAY,
      instructions: { en: '# How did the model answer?\n\nPick the label that fits the answer.' },
    });
    for (const [i, task] of AUDIT_TASKS.entries()) {
      const lang = task.language as 'en' | 'fr';
      await requester.post('/task/refusalaudit', {
        project: AUDIT,
        prompt: `${task.topic} question ${i + 1}`,
        language: lang,
        topic: task.topic,
        control: task.control,
        model: 'atlas-large',
        response: task.kind === 'canned' ? CANNED[lang] : FACTS[lang],
      });
    }
    page = await h.newPage();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('shows an empty leaderboard before anyone has voted, reached from the project page', async () => {
    await login(page, h.baseUrl, REQUESTER, `/projects/${ARENA}`);
    await page.getByRole('link', { name: 'Leaderboard' }).click();
    await page.waitForURL(new RegExp(`/projects/${ARENA}/leaderboard$`));
    await page.getByText('No votes yet.', { exact: false }).waitFor();
    expect(await page.locator('[data-testid=leaderboard-table]').count()).toBe(0);
    // The note on reading intervals is there from the start.
    expect(await page.getByRole('heading', { name: 'How to read the intervals' }).isVisible()).toBe(true);
    await signOut();
  });

  it('lets two workers judge every pair blind in the workbench, by clicking', { timeout: 240_000 }, async () => {
    votes += await judge(JUDGES[0], 10);
    votes += await judge(JUDGES[1]);
    expect(votes).toBe(PROMPTS * 3);
  });

  it('ranks the models best first, with intervals, a plot and the win-rate matrix', { timeout: 120_000 }, async () => {
    await login(page, h.baseUrl, REQUESTER, `/projects/${ARENA}`);
    await page.getByRole('link', { name: 'Leaderboard' }).click();
    await page.locator('[data-testid=leaderboard-table]').waitFor();
    const expected = MODELS.map((m) => m.model);
    expect(await boardOrder()).toEqual(expected);
    expect(await page.locator('[data-testid=leaderboard-summary]').innerText()).toContain(`${votes} votes between 3 models`);

    // Each model shows a rating and a 95% interval around it.
    for (const row of await page.locator('[data-testid=leaderboard-table] tbody tr').all()) {
      const rating = Number((await row.locator('td').nth(1).innerText()).replace(/,/g, ''));
      const [low, high] = (await row.locator('[data-testid=interval]').innerText()).split(' to ').map((s) => Number(s.replace(/,/g, '')));
      expect(low).toBeLessThanOrEqual(rating);
      expect(high).toBeGreaterThanOrEqual(rating);
    }
    // The best model won 7 of its 8 points against each rival (ties count half): 87.5%.
    expect(await page.locator('[data-testid=leaderboard-table] tbody tr').first().locator('td').last().innerText()).toBe('87.5%');

    // The plot labels the same models in the same order.
    expect(await page.locator('[data-testid=rating-plot] .plot-label').allTextContents()).toEqual(expected);

    // The matrix: the row model's win rate against the column model, with the sentence on hover.
    const matrix = page.locator('[data-testid=win-matrix]');
    const atlasRow = matrix.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: 'atlas-large' }) });
    const cells = await atlasRow.locator('td').allInnerTexts();
    expect(cells).toEqual(['', '87.5%', '87.5%']);
    expect(await atlasRow.locator('td').nth(2).getAttribute('title')).toBe('atlas-large won 87.5% of its battles against cedar-small (ties count half)');
    const cedarRow = matrix.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: 'cedar-small' }) });
    expect(await cedarRow.locator('td').allInnerTexts()).toEqual(['12.5%', '12.5%', '']);
    await snap(page, 'leaderboard');

    // The JSON behind the page can be downloaded with the same settings.
    const href = (await page.getByRole('link', { name: 'Download JSON' }).getAttribute('href')) as string;
    const download = await page.request.get(`${h.baseUrl}${href}`);
    expect(download.ok()).toBe(true);
    expect(((await download.json()) as { models: { model: string }[] }).models.map((m) => m.model)).toEqual(expected);
  });

  it('recomputes with Elo, length control, and other vote sources; says when no votes count', async () => {
    await page.getByText('Online Elo', { exact: true }).click();
    await page.getByText('Online Elo depends on the order of the votes', { exact: false }).waitFor();
    expect(await page.getByLabel('Adjust for answer length').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid=leaderboard-table] tbody tr').count()).toBe(3);
    expect(page.url()).toContain('method=elo');

    await page.getByText('Bradley-Terry (maximum likelihood)', { exact: true }).click();
    await page.getByLabel('Adjust for answer length').check();
    await page.locator('[data-testid=length-coefficient]').waitFor();
    expect(await page.locator('[data-testid=length-coefficient]').innerText()).toMatch(/^Length coefficient: -?[\d.,]+ \(95% interval/);
    await page.getByLabel('Adjust for answer length').uncheck();
    await page.locator('[data-testid=length-coefficient]').waitFor({ state: 'detached' });

    // One vote per finished task: with one judge per pair, the same votes and the same order.
    await page.getByLabel('Votes').selectOption({ label: 'One per finished task' });
    await page.locator(`[data-testid=leaderboard-summary][data-votes="${votes}"]`).waitFor();
    expect(await boardOrder()).toEqual(MODELS.map((m) => m.model));

    // Nobody reviewed anything: no votes count, and the page says so instead of showing a table.
    await page.getByLabel('Votes').selectOption({ label: 'Reviewed tasks only' });
    await page.getByText('No votes count under these settings yet.', { exact: false }).waitFor();
    expect(await page.locator('[data-testid=leaderboard-table]').count()).toBe(0);

    // The settings live in the address: a reload keeps them.
    await page.reload();
    expect(await page.getByLabel('Votes').inputValue()).toBe('reviewed');
    await page.getByText('No votes count under these settings yet.', { exact: false }).waitFor();
    await signOut();
  });

  it('shows the demo arena in its known order on a fresh install', async () => {
    await login(page, h.baseUrl, ADMIN, '/projects/demo-model-arena/leaderboard');
    await page.locator('[data-testid=leaderboard-table]').waitFor();
    const known = ['lumen-large', 'quill-pro', 'harbor-7', 'pebble-mini', 'sprout-nano'];
    expect(await boardOrder()).toEqual(known);
    // Neighbours whose intervals overlap share a rank, shown with the ranks they could hold.
    const ranks = await page.locator('[data-testid=rank]').allInnerTexts();
    expect(ranks[0]).toBe('1');
    expect(ranks.some((r) => /^\d \(\d–\d\)$/.test(r))).toBe(true);
    await snap(page, 'leaderboard-demo');

    // In Arabic the page is translated and mirrored, with the same order.
    await page.locator('[data-testid=language-picker]').selectOption('ar');
    await page.getByRole('heading', { name: 'لوحة الترتيب', level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await boardOrder()).toEqual(known);
    await page.getByRole('heading', { name: 'كيف تُقرأ المجالات' }).waitFor();
    await snap(page, 'leaderboard-demo-ar');
    await page.locator('[data-testid=language-picker]').selectOption('en');
    await page.getByRole('heading', { name: 'Leaderboard', level: 1 }).waitFor();
    await signOut();
  });

  it('shows a refusal audit labelled in the workbench: rates with intervals, controls beside, the language gap, and the CSV', { timeout: 120_000 }, async () => {
    await login(page, h.baseUrl, JUDGES[0], `/work/${AUDIT}`);
    for (let i = 0; i < AUDIT_TASKS.length; i++) {
      const task = page.locator('[data-testid=task]');
      await task.waitFor();
      const id = (await task.getAttribute('data-task')) as string;
      const response = await page.locator('[data-testid=audited-response]').innerText();
      const canned = response.includes(CANNED.en) || response.includes(CANNED.fr);
      await page.getByText(canned ? 'Canned refusal' : 'Answered factually', { exact: true }).click();
      await page.getByRole('button', { name: /^Submit/ }).click();
      await next(id);
    }
    await page.locator('[data-testid=no-more-tasks]').waitFor();
    await signOut();

    await login(page, h.baseUrl, REQUESTER, `/projects/${AUDIT}`);
    await page.getByRole('link', { name: 'Refusal report' }).click();
    await page.waitForURL(new RegExp(`/projects/${AUDIT}/refusal-report$`));
    const models = page.locator('[data-testid=refusal-models]');
    await models.waitFor();
    expect(await page.locator('[data-testid=tasks-used]').innerText()).toBe(String(AUDIT_TASKS.length));

    // Sensitive topics beside the neutral controls: 4 of 6 refused against none of 4.
    const atlas = models.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: 'atlas-large' }) });
    expect(await atlas.locator('td').nth(0).innerText()).toMatch(/^66\.7% \(\d+(\.\d)?% to \d+(\.\d)?%\)$/);
    expect(await atlas.locator('td').nth(1).innerText()).toMatch(/^0% \(0% to \d+(\.\d)?%\)$/);
    expect(await atlas.locator('td').nth(2).innerText()).toBe('66.7 points');

    // The gap between languages on the sensitive topic: English 1 in 3, French 3 in 3.
    const gap = page.locator('[data-testid=refusal-gaps] tbody tr').first();
    expect(await gap.innerText()).toContain('elections');
    expect(await gap.locator('td').nth(1).innerText()).toBe('English: 33.3%');
    expect(await gap.locator('td').nth(2).innerText()).toBe('French: 100%');
    expect(await gap.locator('td').last().innerText()).toBe('66.7 points');

    // Every model x topic x language, sensitive first, the controls marked.
    const rows = page.locator('[data-testid=refusal-rows] tbody tr[data-topic]');
    const listed = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].slice(0, 3).map((cell) => (cell as HTMLElement).innerText.trim()).join(' | ')));
    expect(listed).toEqual(['elections | English | 3', 'elections | French | 3', 'baking control | English | 2', 'baking control | French | 2']);
    expect(await rows.nth(1).locator('td').nth(3).innerText()).toMatch(/^100% \(\d+(\.\d)?% to 100%\)$/);
    await snap(page, 'refusal-report');

    const href = (await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')) as string;
    const csv = await page.request.get(`${h.baseUrl}${href}`);
    expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 4);
    expect(lines[0].startsWith('model,topic,language,control,n,refusal_count')).toBe(true);
  });
});

/*
 * The worker side in a real browser: what a project pays is visible before starting, tasks are
 * labelled from the keyboard, gold feedback is shown only after submitting, heartbeats carry two
 * booleans and nothing else, and the answers stored are the ones pressed.
 */
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type ApiClient, browserEnabled, type Harness, login, snap, startHarness, warnIfSkipped } from './harness.ts';

warnIfSkipped();

const DEMO = 'demo-review-sentiment';
const GOLD = 'e2e-gold-pets';
const CATEGORIES = ['positive', 'negative', 'neutral'];

/** Waits until the workbench shows something other than task `previous`: the next task, feedback, or the end. */
async function nextScreen(page: Page, previous: string | null): Promise<'task' | 'feedback' | 'empty'> {
  const handle = await page.waitForFunction((prev) => {
    if (document.querySelector('[data-testid=feedback]')) return 'feedback';
    if (document.querySelector('[data-testid=no-more-tasks]')) return 'empty';
    const task = document.querySelector('[data-testid=task]');
    return task && task.getAttribute('data-task') !== prev ? 'task' : false;
  }, previous);
  return (await handle.jsonValue()) as 'task' | 'feedback' | 'empty';
}

describe.skipIf(!browserEnabled)('worker home and categorization workbench in a real browser', () => {
  let h: Harness;
  let page: Page;
  let admin: ApiClient;
  let worker: ApiClient;
  let workerId: number;

  beforeAll(async () => {
    h = await startHarness();
    admin = await h.apiAs(ADMIN);
    await admin.post(`/projects/${DEMO}/setParams`, { content_warnings: ['Mild profanity'] });
    // A project whose every claim is its one gold task, to see the feedback panel for sure.
    await admin.post('/projects', {
      name: GOLD,
      type: 'categorization',
      params: { categories: ['cat', 'dog'] },
      gold_rate: 1,
      overlap: { min: 1, max: 1 },
      pay: { currency: 'EUR', piece_rate_minor: 10, estimated_seconds: 20 },
      instructions: { en: '# Pets (English)\n\nWhich animal is it?', fr: '# Animaux (français)\n\nQuel animal est-ce ?' },
    });
    await admin.post('/evaluation_tasks/categorization', {
      project: GOLD,
      attachments: [{ type: 'text', content: 'Woof! Woof!' }],
      expected_response: { category: 'dog' },
      explanation: 'It **barks**, so it is a dog.',
    });
    worker = await h.apiAs(h.worker);
    workerId = (await worker.get<{ id: number }>('/me')).id;
    page = await h.newPage();
    await login(page, h.baseUrl, h.worker);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('shows time, pay, hourly rate, review deadline and content warnings before the worker starts', async () => {
    await page.waitForURL(/\/work$/);
    const card = page.locator(`[data-project="${DEMO}"]`);
    await card.waitFor();
    expect(await card.locator('[data-testid=estimate]').getAttribute('data-value')).toBe('12');
    expect(await card.locator('[data-testid=pay]').getAttribute('data-value')).toBe('5');
    expect(await card.locator('[data-testid=hourly]').getAttribute('data-value')).toBe('1500');
    const text = await card.innerText();
    expect(text).toContain('12 seconds');
    expect(text).toContain('$0.05');
    expect(text).toContain('$15.00 per hour');
    expect(text).toContain('within 3 days');
    expect(await card.locator('[data-testid=content-warnings]').innerText()).toContain('Mild profanity');
    // The gold project shows its own currency.
    expect(await page.locator(`[data-project="${GOLD}"] [data-testid=pay]`).innerText()).toBe('€0.10');
    await snap(page, 'worker-home');
  });

  it('labels demo tasks with the keyboard, and the answers stored are the ones pressed', async () => {
    await page.locator(`[data-project="${DEMO}"] [data-testid=start]`).click();
    await page.waitForURL(new RegExp(`/work/${DEMO}$`));
    expect(await page.locator('[data-testid=instructions]').getAttribute('data-lang')).toBe('en');
    await page.locator('[data-testid=task]').waitFor();
    await snap(page, 'workbench');

    const pressed = new Map<string, string>();
    let screen: 'task' | 'feedback' | 'empty' = 'task';
    for (let i = 0; i < 6 && screen !== 'empty'; i++) {
      const task = page.locator('[data-testid=task]');
      const id = (await task.getAttribute('data-task')) as string;
      const key = (i % 3) + 1;
      await page.keyboard.press(String(key));
      expect(await page.locator(`[data-category="${CATEGORIES[key - 1]}"] input`).isChecked()).toBe(true);
      await page.keyboard.press('Enter');
      pressed.set(id, CATEGORIES[key - 1]);
      screen = await nextScreen(page, id);
      if (screen === 'feedback') {
        // A gold task: the expected answer comes only now, after the answer went in.
        expect((await page.locator('[data-testid=expected]').innerText()).length).toBeGreaterThan(0);
        await page.keyboard.press('Enter');
        screen = await nextScreen(page, id);
      }
    }
    expect(pressed.size).toBe(6);
    expect(await page.locator('[data-testid=done-count]').getAttribute('data-value')).toBe('6');

    // "?" lists the keys; Escape closes the list.
    await page.keyboard.press('?');
    await page.locator('[data-testid=keys-dialog][open]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=keys-dialog][open]').waitFor({ state: 'detached' });

    // S skips.
    const skipped = (await page.locator('[data-testid=task]').getAttribute('data-task')) as string;
    await page.keyboard.press('s');
    await nextScreen(page, skipped);

    // Read the answers back. Individual answers are not on the requester API yet (no aggregation
    // hook fills `response.annotator_responses`), so read them where the API would: the task, then
    // the stored assignment.
    const stored = new Map<string, { status: string; response: Record<string, unknown> | null }>();
    const rows = await h.database.db.selectFrom('assignments').select(['task_id', 'status', 'response']).where('worker_id', '=', workerId).execute();
    for (const row of rows) stored.set(String(row.task_id), { status: row.status, response: row.response ? (JSON.parse(row.response) as Record<string, unknown>) : null });
    for (const [taskId, category] of pressed) {
      const task = await admin.get<{ response: { annotator_responses?: { worker_id?: number; response?: { category?: string } }[] } | null }>(`/task/${taskId}`);
      const viaApi = task.response?.annotator_responses?.find((a) => a.worker_id === workerId)?.response?.category;
      if (viaApi !== undefined) expect(viaApi).toBe(category);
      expect(stored.get(taskId)).toEqual({ status: 'submitted', response: { category } });
    }
    expect(stored.get(skipped)?.status).toBe('skipped');
  });

  it('sends heartbeats of two booleans, and a break gives the task back', async () => {
    const tab = await h.newPage();
    await tab.clock.install();
    const beats: Request[] = [];
    tab.on('request', (r) => {
      if (r.url().includes('/heartbeat')) beats.push(r);
    });
    await tab.goto(`${h.baseUrl}/work/${DEMO}`);
    await tab.locator('[data-testid=task]').waitFor();
    await tab.keyboard.press('2');
    await tab.clock.fastForward(15_500);
    await expect.poll(() => beats.length).toBeGreaterThan(0);
    const body = beats[0].postDataJSON() as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['input_active', 'visible']);
    expect(body.visible).toBe(true);
    expect(typeof body.input_active).toBe('boolean');

    await tab.locator('[data-testid=break]').click();
    await tab.locator('[data-testid=on-break]').waitFor();
    const held = await worker.get<{ docs: unknown[] }>(`/work/projects/${DEMO}/assignments`);
    expect(held.docs).toEqual([]);
    await tab.getByRole('button', { name: 'Resume work' }).click();
    await tab.locator('[data-testid=task]').waitFor();
    await tab.close();
  });

  it('after a gold task, shows a kind feedback panel with the expected answer and why', async () => {
    // Every API response the browser receives before the submit, to check none carries the gold answer.
    const received: Promise<string>[] = [];
    let submitted = false;
    const listen = (res: { url(): string; text(): Promise<string> }) => {
      if (!submitted && res.url().includes('/v1/')) received.push(res.text().catch(() => ''));
    };
    page.on('response', listen);
    await page.goto(`${h.baseUrl}/work/${GOLD}`);
    await page.locator('[data-testid=task]').waitFor();
    expect(await page.locator('[data-testid=instructions] h1').innerText()).toBe('Pets (English)');
    expect(await page.locator('[data-testid=attachment-text]').innerText()).toBe('Woof! Woof!');
    // Nothing on the page before submitting tells the answer.
    expect(await page.content()).not.toContain('barks');
    await page.keyboard.press('1');
    const bodies = await Promise.all(received);
    expect(bodies.some((b) => b.includes('Woof! Woof!'))).toBe(true);
    for (const body of bodies) {
      for (const leak of ['barks', 'expected_response', 'is_gold', 'explanation']) expect(body).not.toContain(leak);
    }
    submitted = true;
    page.off('response', listen);
    await page.keyboard.press('Enter');
    const feedback = page.locator('[data-testid=feedback]');
    await feedback.waitFor();
    expect(await feedback.getAttribute('data-correct')).toBe('false');
    expect(await feedback.locator('[data-testid=expected]').innerText()).toBe('dog');
    expect(await feedback.locator('strong').innerText()).toBe('barks');
    await snap(page, 'workbench-gold-feedback');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=no-more-tasks]').waitFor();

    // Instructions follow the interface language when the project has it.
    await page.locator('[data-testid=language-picker]').selectOption('fr');
    await page.locator('[data-testid=instructions][data-lang=fr]').waitFor();
    expect(await page.locator('[data-testid=instructions] h1').innerText()).toBe('Animaux (français)');
    await page.locator('[data-testid=language-picker]').selectOption('en');
  });
});

/*
 * Dynamic overlap and review in a real browser: four workers label a project with overlap 2 to 4
 * and every task reviewed; where they disagree the task asks for more answers; a reviewer rejects
 * one answer (the page insists on a reason, 20 characters and evidence) and accepts another task,
 * whose result then says a reviewer decided it. The requester's project page shows the quality
 * report, saves settings, lists batches and exports JSONL; the worker sees their own quality.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type ApiClient, browserEnabled, type Harness, login, snap, startHarness, warnIfSkipped } from './harness.ts';

warnIfSkipped();

const PROJECT = 'e2e-overlap';
const CATEGORIES = ['positive', 'negative', 'neutral'];
const WORKERS = [1, 2, 3, 4].map((i) => ({ email: `w${i}@example.com`, password: `worker-pass-${i}`, display_name: `Worker ${i}` }));
const REVIEWER = { email: 'rev@example.com', password: 'reviewer-pass-1', display_name: 'Rae Reviewer' };
const TEXTS = { broke: 'It broke after one day.', fine: 'Works fine, does the job.' };

interface TaskView {
  status: string;
  sub_status: string | null;
  responses_required: number;
  result: { decided_by?: { kind: string; user_id?: number } } | null;
  response: { annotator_responses?: { assignment_id: string; worker_id: number; response: { category: string }; review_status: string | null }[] } | null;
}

describe.skipIf(!browserEnabled)('dynamic overlap and review in a real browser', () => {
  let h: Harness;
  let page: Page;
  let admin: ApiClient;
  const ids: Record<string, number> = {};
  const tasks: Record<keyof typeof TEXTS, string> = { broke: '', fine: '' };

  const task = (id: string) => admin.get<TaskView>(`/task/${id}`);

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#login-email').waitFor();
  }

  /** Signs a worker in and labels whatever the project gives them, by text; returns what was labelled. */
  async function work(credentials: { email: string; password: string }, answer: Record<keyof typeof TEXTS, string>): Promise<string[]> {
    await login(page, h.baseUrl, credentials, `/work/${PROJECT}`);
    const done: string[] = [];
    for (;;) {
      const screen = await page.waitForFunction(() => {
        if (document.querySelector('[data-testid=no-more-tasks]')) return 'empty';
        return document.querySelector('[data-testid=task]') ? 'task' : false;
      });
      if ((await screen.jsonValue()) === 'empty') break;
      const current = (await page.locator('[data-testid=task]').getAttribute('data-task')) as string;
      const text = await page.locator('[data-testid=attachment-text]').innerText();
      const key = (Object.keys(TEXTS) as (keyof typeof TEXTS)[]).find((k) => TEXTS[k] === text) as keyof typeof TEXTS;
      await page.keyboard.press(String(CATEGORIES.indexOf(answer[key]) + 1));
      await page.keyboard.press('Enter');
      done.push(key);
      await page.waitForFunction((prev) => document.querySelector('[data-testid=no-more-tasks]') || document.querySelector('[data-testid=task]')?.getAttribute('data-task') !== prev, current);
    }
    await signOut();
    return done;
  }

  beforeAll(async () => {
    h = await startHarness();
    admin = await h.apiAs(ADMIN);
    for (const w of WORKERS) ids[w.email] = (await admin.post<{ id: number }>('/users', { ...w, role: 'worker' })).id;
    ids[REVIEWER.email] = (await admin.post<{ id: number }>('/users', { ...REVIEWER, role: 'reviewer' })).id;
    await admin.post('/projects', {
      name: PROJECT,
      type: 'categorization',
      params: { categories: CATEGORIES },
      overlap: { min: 2, max: 4 },
      review_policy: { mode: 'all' },
      quality: { target_confidence: 0.95, annotator_responses: true },
      pay: { currency: 'USD', piece_rate_minor: 5, estimated_seconds: 10 },
      instructions: { en: '# Sentiment\n\nIs the review positive, negative or neutral?' },
    });
    for (const k of Object.keys(TEXTS) as (keyof typeof TEXTS)[]) {
      tasks[k] = (await admin.post<{ task_id: string }>('/task/categorization', { project: PROJECT, attachments: [{ type: 'text', content: TEXTS[k] }] })).task_id;
    }
    page = await h.newPage();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('asks for more answers where two workers disagree, up to the maximum, then holds both tasks for review', async () => {
    expect((await work(WORKERS[0], { broke: 'negative', fine: 'positive' })).sort()).toEqual(['broke', 'fine']);
    expect((await work(WORKERS[1], { broke: 'positive', fine: 'positive' })).sort()).toEqual(['broke', 'fine']);
    // Disagreement: still pending, one more answer asked for.
    const broke = await task(tasks.broke);
    expect(broke.status).toBe('pending');
    expect(broke.sub_status).not.toBe('in_review');
    expect(broke.responses_required).toBe(3);
    await work(WORKERS[2], { broke: 'negative', fine: 'positive' });
    await work(WORKERS[3], { broke: 'negative', fine: 'positive' });
    const after = await task(tasks.broke);
    expect(after.response?.annotator_responses?.length).toBeGreaterThanOrEqual(3);
    expect(after.responses_required).toBeLessThanOrEqual(4);
    for (const id of Object.values(tasks)) expect((await task(id)).sub_status).toBe('in_review');
  });

  it('lets a reviewer reject one answer, only with a reason, 20 characters and evidence', async () => {
    await login(page, h.baseUrl, REVIEWER);
    // A reviewer lands on the review page and finds the project there.
    await page.waitForURL(/\/review$/);
    await page.getByRole('link', { name: PROJECT }).click();
    await page.waitForURL(new RegExp(`/review/${PROJECT}$`));
    await page.locator('[data-testid=queue-size][data-value="2"]').waitFor();
    await page.getByRole('button', { name: `Task ${tasks.broke}` }).click();
    await page.locator(`[data-testid=review-task][data-task="${tasks.broke}"]`).waitFor();

    const dissent = (await task(tasks.broke)).response?.annotator_responses?.find((a) => a.worker_id === ids[WORKERS[1].email]);
    expect(dissent?.response).toEqual({ category: 'positive' });
    const answer = page.locator(`[data-assignment="${dissent?.assignment_id}"]`);
    expect(await answer.innerText()).toContain('positive');
    await answer.locator('[data-testid=reject]').click();
    const form = answer.locator('[data-testid=decision-form]');
    const error = form.locator('[data-testid=review-error]');

    // No reason: refused, and the page says what is missing.
    await form.locator('[data-testid=send-decision]').click();
    await form.locator('[data-testid=review-error][data-code=reason_required]').waitFor();
    expect(await error.innerText()).toContain('at least 20 characters');
    // A reason but too short an explanation: still refused.
    await form.locator('[data-testid=reason-code]').selectOption('wrong_answer');
    await form.locator('[data-testid=reason-text]').fill('Not positive.');
    await form.locator('[data-testid=send-decision]').click();
    await form.locator('[data-testid=review-error][data-code=reason_required]').waitFor();
    // Explained, but a rejection needs evidence.
    await form.locator('[data-testid=reason-text]').fill('The review says the product broke after one day: that is negative.');
    await form.locator('[data-testid=send-decision]').click();
    await form.locator('[data-testid=review-error][data-code=evidence_required]').waitFor();
    expect(await error.innerText()).toContain('evidence');
    await snap(page, 'review-reject-form');
    await form.locator('[data-testid=evidence-criterion]').fill('A product that breaks is a negative review.');
    await form.locator('[data-testid=send-decision]').click();
    await page.locator('[data-testid=review-done]').waitFor();

    const after = await task(tasks.broke);
    expect(after.status).toBe('pending');
    expect(after.sub_status).toBe('redo');
    expect(after.response?.annotator_responses?.find((a) => a.assignment_id === dissent?.assignment_id)?.review_status).toBe('rejected');
  });

  it('accepts the other task with the A key, and its result says a reviewer decided it', async () => {
    await page.locator(`[data-testid=review-task][data-task="${tasks.fine}"]`).waitFor();
    await page.locator('[data-testid=queue-size][data-value="1"]').waitFor();
    await snap(page, 'review-queue');
    await page.keyboard.press('a');
    await page.locator('[data-testid=queue-empty]').waitFor();
    const fine = await task(tasks.fine);
    expect(fine.status).toBe('completed');
    expect(fine.result?.decided_by).toEqual({ kind: 'reviewer', user_id: ids[REVIEWER.email] });
    await signOut();
  });

  it('sends the rejected task back for another answer, and a reviewer fixes it with the type view', async () => {
    // The admin, who has not answered it yet, gives the missing answer.
    expect(await work(ADMIN, { broke: 'neutral', fine: 'neutral' })).toEqual(['broke']);
    expect((await task(tasks.broke)).sub_status).toBe('in_review');
    await login(page, h.baseUrl, REVIEWER, `/review/${PROJECT}`);
    await page.locator(`[data-testid=review-task][data-task="${tasks.broke}"]`).waitFor();
    await page.keyboard.press('f');
    await page.locator('[data-testid=save-fix]').waitFor();
    // The categorization view, with its own keys: 2 is "negative".
    await page.keyboard.press('2');
    expect(await page.locator('[data-category=negative] input').isChecked()).toBe(true);
    await snap(page, 'review-fix');
    await page.locator('[data-testid=save-fix]').click();
    await page.locator('[data-testid=queue-empty]').waitFor();
    const fixed = await task(tasks.broke);
    expect(fixed.status).toBe('completed');
    expect(fixed.result).toMatchObject({ answer: { category: 'negative' }, method: 'review_fix', decided_by: { kind: 'reviewer', user_id: ids[REVIEWER.email] } });
    await signOut();
  });

  it('shows the requester agreement, per-worker accuracy and throughput, saves settings and exports JSONL', async () => {
    // A gold task, so workers have an accuracy to show.
    await admin.post('/evaluation_tasks/categorization', { project: PROJECT, attachments: [{ type: 'text', content: 'Absolutely love it!' }], expected_response: { category: 'positive' } });
    await admin.post(`/projects/${PROJECT}/setParams`, { gold_rate: 1 });
    await admin.post('/batches', { project: PROJECT, name: 'e2e-batch-1' });
    await login(page, h.baseUrl, WORKERS[0], `/work/${PROJECT}`);
    await page.locator('[data-testid=task]').waitFor();
    await page.keyboard.press('1');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=feedback]').waitFor();
    // The worker's own quality, on their home page: n, mean, interval and the items used.
    await page.goto(`${h.baseUrl}/work`);
    const mine = page.locator(`[data-testid=my-quality] [data-project="${PROJECT}"]`);
    await mine.waitFor();
    expect(await mine.locator('[data-testid=quality-n]').getAttribute('data-value')).toBe('1');
    const mean = Number(await mine.locator('[data-testid=quality-mean]').getAttribute('data-value'));
    const interval = mine.locator('[data-testid=quality-interval]');
    expect(Number(await interval.getAttribute('data-low'))).toBeLessThan(mean);
    expect(Number(await interval.getAttribute('data-high'))).toBeGreaterThan(mean);
    await mine.locator('summary').click();
    expect(await mine.locator('[data-testid=quality-items] tbody tr').count()).toBe(1);
    await snap(page, 'worker-my-quality');
    await signOut();

    await login(page, h.baseUrl, ADMIN, `/projects/${PROJECT}`);
    await page.locator('[data-testid=worker-quality]').waitFor();
    expect(await page.locator('[data-testid=worker-quality] tbody tr').count()).toBeGreaterThanOrEqual(1);
    await page.locator('[data-testid=agreement-chart][data-ready=true]').waitFor();
    await page.locator('[data-testid=throughput-chart][data-ready=true]').waitFor();
    expect(await page.locator('[data-testid=throughput-total]').getAttribute('data-value')).toBe('2');
    expect(await page.locator('[data-testid=agreement-chart] canvas').count()).toBeGreaterThan(0);
    await page.locator('[data-testid=batches] [data-batch=e2e-batch-1]').waitFor();

    // Quality and review settings, saved through setParams.
    const settings = page.locator('[data-testid=quality-settings]');
    await settings.locator('#q-max').fill('5');
    await settings.locator('#q-target').fill('0.9');
    await settings.locator('#q-method').selectOption('mv');
    await settings.locator('[data-testid=review-mode]').selectOption('sample');
    await settings.locator('#q-sample').fill('25');
    await settings.locator('[data-testid=save-settings]').click();
    await settings.locator('[data-testid=settings-saved]').waitFor();
    const project = await admin.get<{ overlap: { min: number; max: number }; review_policy: { mode: string; sample_rate: number }; quality: { target_confidence: number; method: string; annotator_responses: boolean } }>(`/projects/${PROJECT}`);
    expect(project.overlap).toEqual({ min: 2, max: 5 });
    expect(project.review_policy.mode).toBe('sample');
    expect(project.review_policy.sample_rate).toBe(0.25);
    expect(project.quality.target_confidence).toBe(0.9);
    expect(project.quality.method).toBe('mv');
    expect(project.quality.annotator_responses).toBe(true);
    await snap(page, 'project-quality');

    // JSONL built in the browser from GET /v1/tasks pages.
    const download = page.waitForEvent('download');
    await page.locator('[data-testid=export-jsonl]').click();
    const file = await (await download).path();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const listed = await admin.get<{ total: number }>(`/tasks?project=${PROJECT}&limit=1`);
    expect(lines.length).toBe(listed.total);
    const exported = lines.map((l) => JSON.parse(l) as { task_id: string; project: string });
    for (const id of Object.values(tasks)) expect(exported.some((t) => t.task_id === id)).toBe(true);
    expect(exported.every((t) => t.project === PROJECT)).toBe(true);
    await page.locator(`[data-testid=export-done][data-value="${listed.total}"]`).waitFor();
  });
});

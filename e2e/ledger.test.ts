/*
 * Fair work in a real browser: a worker (whose language is French) reads the instructions (paid
 * time) and labels three reviews; a reviewer
 * rejects one with a reason, an explanation and evidence and accepts the others; the worker reads
 * the decision in French and appeals it; a different reviewer reads the appeal beside the original
 * reasons and overturns it; the worker then sees the restoration on their decisions page and on the
 * statement, whose totals reconcile with the ledger to the cent.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type ApiClient, browserEnabled, type Harness, login, snap, startHarness, warnIfSkipped } from './harness.ts';

warnIfSkipped();

const PROJECT = 'e2e-fair-work';
const CATEGORIES = ['positive', 'negative', 'neutral'];
const WORKER = { email: 'camille@example.com', password: 'worker-pass-fr', display_name: 'Camille', locale: 'fr', languages: ['fr', 'en'] };
const DECIDER = { email: 'rev1@example.com', password: 'reviewer-pass-1', display_name: 'First Reviewer' };
const HEARER = { email: 'rev2@example.com', password: 'reviewer-pass-2', display_name: 'Second Reviewer' };
const TEXTS = ['It broke after one day.', 'Works fine, does the job.', 'Arrived on time.'];
const APPEAL = "Les consignes disent qu'un avis sans plainte est positif ; ma réponse suit l'exemple 2.";

interface Entry {
  kind: string;
  amount_minor: number;
  currency: string;
}

describe.skipIf(!browserEnabled)('fair work in a real browser: rejection, appeal in French, overturn, statement', () => {
  let h: Harness;
  let page: Page;
  let admin: ApiClient;
  let worker: ApiClient;
  const ids: Record<string, number> = {};
  let rejectedTask = '';

  async function signOut(label: string): Promise<void> {
    await page.getByRole('button', { name: label }).click();
    await page.locator('#login-email').waitFor();
  }

  beforeAll(async () => {
    h = await startHarness();
    admin = await h.apiAs(ADMIN);
    ids.worker = (await admin.post<{ id: number }>('/users', { ...WORKER, role: 'worker' })).id;
    ids.decider = (await admin.post<{ id: number }>('/users', { ...DECIDER, role: 'reviewer' })).id;
    ids.hearer = (await admin.post<{ id: number }>('/users', { ...HEARER, role: 'reviewer' })).id;
    await admin.post('/projects', {
      name: PROJECT,
      type: 'categorization',
      params: { categories: CATEGORIES },
      overlap: { min: 1, max: 1 },
      review_policy: { mode: 'all' },
      languages: ['fr'],
      pay: { currency: 'USD', piece_rate_minor: 50, estimated_seconds: 20 },
      instructions: { fr: '# Avis\n\nUn avis sans plainte est positif (exemple 2).', en: '# Reviews\n\nA review without a complaint is positive (example 2).' },
    });
    for (const content of TEXTS) await admin.post('/task/categorization', { project: PROJECT, attachments: [{ type: 'text', content }] });
    worker = await h.apiAs({ email: WORKER.email, password: WORKER.password });
    page = await h.newPage();
  });

  afterAll(async () => {
    await h?.close();
  });

  it("pays the time spent reading a project's instructions before starting", async () => {
    await login(page, h.baseUrl, WORKER, '/work');
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    const details = page.locator(`[data-project="${PROJECT}"] [data-testid=instructions-details]`);
    await details.locator('summary').click();
    expect(await details.innerText()).toContain('Un avis sans plainte est positif');
    await page.waitForTimeout(1500);
    await details.locator('summary').click();
    let reading = 0;
    for (let tries = 0; tries < 50 && reading < 1000; tries++) {
      reading = (await worker.get<{ hours: { by_category_ms: Record<string, number> } }>('/work/dashboard')).hours.by_category_ms.instructions ?? 0;
      if (reading < 1000) await page.waitForTimeout(100);
    }
    expect(reading).toBeGreaterThanOrEqual(1000);
    expect(reading).toBeLessThan(10_000);
  });

  it('lets the worker label every task in French, then holds the answers for review', async () => {
    await page.goto(`${h.baseUrl}/work/${PROJECT}`);
    for (let done = 0; ; done++) {
      const screen = await page.waitForFunction(() => (document.querySelector('[data-testid=no-more-tasks]') ? 'empty' : document.querySelector('[data-testid=task]') ? 'task' : false));
      if ((await screen.jsonValue()) === 'empty') {
        expect(done).toBe(TEXTS.length);
        break;
      }
      const current = await page.locator('[data-testid=task]').getAttribute('data-task');
      // Everything "positive" (key 1), which the first reviewer will dispute for the broken product.
      await page.keyboard.press('1');
      await page.keyboard.press('Enter');
      await page.waitForFunction((prev) => document.querySelector('[data-testid=no-more-tasks]') || document.querySelector('[data-testid=task]')?.getAttribute('data-task') !== prev, current);
    }
    await page.goto(`${h.baseUrl}/work/pay`);
    await page.locator('[data-testid=pending-reviews][data-value="3"]').waitFor();
    expect(await page.locator('h1').innerText()).toBe('Ma paie');
    await signOut('Se déconnecter');
  });

  it('lets the first reviewer reject one answer with a reason, text and evidence, and accept the others', async () => {
    await login(page, h.baseUrl, DECIDER, `/review/${PROJECT}`);
    await page.locator('[data-testid=queue-size][data-value="3"]').waitFor();
    for (let left = 3; left > 0; left--) {
      const task = page.locator('[data-testid=review-task]');
      await task.waitFor();
      const text = await task.locator('[data-testid=attachment-text]').innerText();
      if (text === TEXTS[0]) {
        rejectedTask = (await task.getAttribute('data-task')) as string;
        await task.locator('[data-testid=reject]').first().click();
        const form = task.locator('[data-testid=decision-form]');
        await form.locator('[data-testid=reason-code]').selectOption('wrong_answer');
        await form.locator('[data-testid=reason-text]').fill('The product broke after one day: that is a complaint, so negative.');
        await form.locator('[data-testid=evidence-criterion]').fill('A review that complains about a defect is negative.');
        await form.locator('[data-testid=send-decision]').click();
      } else {
        await page.locator('[data-testid=accept]').click();
      }
      await page.locator(`[data-testid=queue-size][data-value="${left - 1}"]`).waitFor();
    }
    expect(rejectedTask).not.toBe('');
    await signOut('Sign out');
  });

  it('shows the worker the decision in French, with what to do next, and takes the appeal', async () => {
    await login(page, h.baseUrl, WORKER, '/work/decisions');
    const rejected = page.locator('[data-testid=decision][data-kind=review_reject]');
    await rejected.waitFor();
    expect(await rejected.locator('[data-testid=decision-kind]').innerText()).toBe('Réponse rejetée');
    expect(await rejected.locator('[data-testid=decision-status]').innerText()).toBe('En vigueur');
    const body = await rejected.innerText();
    expect(body).toContain('Réponse fausse');
    expect(body).toContain('The product broke after one day');
    expect(body).toContain('Vous pouvez contester jusqu');
    expect(await page.locator('[data-testid=decision][data-kind=review_accept]').count()).toBe(2);
    await rejected.locator('[data-testid=appeal]').click();
    // Too short: the page says so in French and sends nothing.
    await rejected.locator('[data-testid=appeal-text]').fill('Non.');
    await rejected.locator('[data-testid=send-appeal]').click();
    expect(await rejected.innerText()).toContain('au moins 10 caractères');
    expect((await worker.get<{ docs: unknown[] }>('/work/appeals')).docs).toEqual([]);
    await rejected.locator('[data-testid=appeal-text]').fill(APPEAL);
    await snap(page, 'appeal-fr');
    await rejected.locator('[data-testid=send-appeal]').click();
    await page.locator('[data-testid=appeal-filed]').waitFor();
    await page.locator('[data-testid=my-appeal][data-status=assigned]').waitFor();
    await signOut('Se déconnecter');
  });

  it('routes the appeal away from the decider; a second reviewer reads it beside the reasons and overturns it', async () => {
    const [appeal] = (await admin.get<{ docs: { id: string; assignee_id: string | null }[] }>('/appeals')).docs;
    expect(appeal.assignee_id).not.toBe(String(ids.decider));
    // The decider never sees it; the admin routes it to the second reviewer.
    const decider = await h.apiAs({ email: DECIDER.email, password: DECIDER.password });
    expect((await decider.get<{ docs: unknown[] }>('/appeals')).docs).toEqual([]);
    await admin.post(`/appeals/${appeal.id}/assign`, { assignee_id: String(ids.hearer) });

    await login(page, h.baseUrl, HEARER, '/review/appeals');
    const item = page.locator(`[data-testid=appeal-to-hear][data-id="${appeal.id}"]`);
    await item.waitFor();
    expect(await item.locator('[data-testid=appeal-text-shown]').innerText()).toBe(APPEAL);
    const reasons = await item.locator('[data-testid=appealed-decision]').innerText();
    expect(reasons).toContain('The product broke after one day');
    expect(reasons).toContain(rejectedTask);
    await item.locator('[data-testid=outcome-overturned]').check();
    await item.locator('[data-testid=resolve-text]').fill('The instructions call a review without a complaint positive; this one complains, but the example is ambiguous.');
    await item.locator('[data-testid=send-resolution]').click();
    await page.locator('[data-testid=appeal-done]').waitFor();
    await page.locator('[data-testid=no-appeals]').waitFor();
    await signOut('Sign out');
  });

  it('shows the worker the overturn and the restored pay, and a statement that reconciles with the ledger', async () => {
    await login(page, h.baseUrl, WORKER, '/work/decisions');
    const rejected = page.locator('[data-testid=decision][data-kind=review_reject]');
    await rejected.waitFor();
    expect(await rejected.locator('[data-testid=decision-status]').innerText()).toBe('Annulée');
    const resolution = page.locator('[data-testid=my-appeal] [data-testid=appeal-resolution]');
    expect(await resolution.innerText()).toContain('Décision annulée');
    const restored = Number(await resolution.locator('[data-testid=restored]').getAttribute('data-value'));
    expect(restored).toBeGreaterThan(0);

    const entries = (await worker.get<{ docs: Entry[] }>('/work/ledger/entries')).docs;
    expect(entries.filter((e) => e.kind === 'appeal_restoration').map((e) => e.amount_minor)).toEqual([restored]);
    const ledgerSum = entries.filter((e) => e.kind !== 'payout').reduce((sum, e) => sum + e.amount_minor, 0);

    await page.getByRole('navigation').getByRole('link', { name: 'Ma paie' }).click();
    await page.locator('[data-testid=open-statement]').click();
    const week = page.locator('[data-testid=statement-week]').first();
    await week.waitFor();
    const restoration = week.locator('[data-testid=earning][data-kind=appeal_restoration]');
    expect(await restoration.innerText()).toContain('Rétabli après recours');
    expect(Number(await restoration.locator('td').getAttribute('data-value'))).toBe(restored);
    // Earned = paid out + balance, and earned = every ledger entry but payouts.
    const amount = async (testId: string) => {
      const raw = (await page.locator(`[data-testid=${testId}]`).first().getAttribute('data-value')) ?? '';
      return raw === '' ? 0 : raw.split(';').reduce((sum, part) => sum + Number(part.split(' ')[0]), 0);
    };
    const earned = await amount('total-earned');
    expect(earned).toBe(ledgerSum);
    expect(earned).toBe((await amount('total-paid-out')) + (await amount('total-balance')));
    expect(await amount('week-total')).toBe(earned);
    await snap(page, 'statement-fr');
  });
});

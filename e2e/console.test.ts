/*
 * The requester console and admin pages in a real browser, against the real server.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, browserEnabled, type Harness, login, snap, startHarness, warnIfSkipped } from './harness.ts';

warnIfSkipped();

const REQUESTER = { email: 'req@example.com', password: 'requester-pass-1' };
const PROJECT = 'e2e-animals';
const ROWS = 10_000;

/** Builds a JSONL file of `rows` tasks inside the page and drops it on the import dropzone. */
async function dropJsonl(page: Page, rows: number, name: string): Promise<void> {
  await page.evaluate(
    ({ rows, name }) => {
      const lines: string[] = [];
      for (let i = 0; i < rows; i++) lines.push(JSON.stringify({ unique_id: `animal-${i}`, attachments: [{ type: 'text', content: `Animal sighting number ${i}` }] }));
      const file = new File([`${lines.join('\n')}\n`], name, { type: 'application/x-ndjson' });
      const data = new DataTransfer();
      data.items.add(file);
      const zone = document.querySelector('[data-testid=dropzone]');
      if (!zone) throw new Error('no dropzone');
      for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
    },
    { rows, name },
  );
}

/** Records every state and row count the import panel shows, to prove progress was on screen. */
async function watchImport(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: { state: string | null; rows: string | null }[] = [];
    (window as unknown as { importSeen: typeof seen }).importSeen = seen;
    const record = () => {
      const run = document.querySelector('[data-testid=import-run]');
      if (!run) return;
      seen.push({ state: run.getAttribute('data-state'), rows: document.querySelector('[data-testid=import-rows]')?.getAttribute('data-value') ?? null });
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

async function valueOf(page: Page, testId: string): Promise<number> {
  return Number(await page.locator(`[data-testid=${testId}]`).first().getAttribute('data-value'));
}

describe.skipIf(!browserEnabled)('requester console and admin in a real browser', () => {
  let h: Harness;
  let page: Page;

  beforeAll(async () => {
    h = await startHarness();
    page = await h.newPage();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('shows a wrong password as the server words it, and stays on the login form', async () => {
    await page.goto(`${h.baseUrl}/projects`);
    await page.locator('#login-email').fill(ADMIN.email);
    await page.locator('#login-password').fill('not-the-password');
    await page.locator('form button[type=submit]').click();
    const alert = page.locator('[role=alert]');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('invalid_credentials');
    expect(await alert.textContent()).toBe('Email or password is wrong');
    expect(await page.locator('#login-email').isVisible()).toBe(true);
  });

  it('lets the admin sign in and see the demo project with its 36 tasks', async () => {
    await login(page, h.baseUrl, ADMIN);
    await page.waitForURL(/\/projects$/);
    const row = page.locator('[data-project="demo-review-sentiment"]');
    await row.waitFor();
    expect(await row.locator('[data-testid=count-pending]').getAttribute('data-value')).toBe('36');
  });

  it('lets the admin add a requester, change a role, deactivate and reactivate', async () => {
    await page.goto(`${h.baseUrl}/admin/users`);
    await page.locator('#user-email').fill(REQUESTER.email);
    await page.locator('#user-password').fill(REQUESTER.password);
    await page.locator('#user-name').fill('Rita Requester');
    await page.locator('#user-role').selectOption('requester');
    await page.locator('#user-languages').fill('en, fr');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const row = page.locator(`tr[data-user="${REQUESTER.email}"]`);
    await row.waitFor();
    expect(await row.locator('select').inputValue()).toBe('requester');

    const admin = await h.apiAs(ADMIN);
    const findUser = async () => (await admin.get<{ docs: { email: string; role: string; active: boolean; languages: string[] }[] }>('/users')).docs.find((u) => u.email === REQUESTER.email);
    expect((await findUser())?.languages).toEqual(['en', 'fr']);

    await row.locator('select').selectOption('reviewer');
    await expect.poll(async () => (await findUser())?.role).toBe('reviewer');
    await row.locator('select').selectOption('requester');
    await expect.poll(async () => (await findUser())?.role).toBe('requester');

    await row.getByRole('button', { name: 'Deactivate' }).click();
    await row.getByRole('button', { name: 'Reactivate' }).waitFor();
    expect((await findUser())?.active).toBe(false);
    await row.getByRole('button', { name: 'Reactivate' }).click();
    await row.getByRole('button', { name: 'Deactivate' }).waitFor();
    expect((await findUser())?.active).toBe(true);
    await snap(page, 'admin-users');
  });

  it('shows a new API key once, and revokes it', async () => {
    await page.goto(`${h.baseUrl}/keys`);
    await page.locator('#key-name').fill('ci-pipeline');
    await page.getByRole('button', { name: 'Create key' }).click();
    const value = await page.locator('[data-testid=fresh-key-value]').textContent();
    expect(value?.length).toBeGreaterThan(20);
    // The key works, as a program would use it.
    const me = await fetch(`${h.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${value}` } });
    expect(me.status).toBe(200);
    await snap(page, 'api-key-created');

    // After a reload the key is gone from the page for good; only its prefix is listed.
    await page.reload();
    await page.locator('[data-testid=keys-table]').waitFor();
    expect(await page.locator('[data-testid=fresh-key]').count()).toBe(0);
    expect(await page.content()).not.toContain(value);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('row', { name: /ci-pipeline/ }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('row', { name: /ci-pipeline/ }).getByText(/Revoked/).waitFor();
    const after = await fetch(`${h.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${value}` } });
    expect(after.status).toBe(401);
  });

  it('lets a requester create a project from the categorization template, with a safe markdown preview', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#login-email').waitFor();
    await login(page, h.baseUrl, REQUESTER);
    await page.waitForURL(/\/projects$/);
    await page.getByRole('link', { name: 'New project' }).first().click();
    await page.waitForURL(/\/projects\/new$/);

    // The template is prefilled from the type's example.
    await page.locator('#project-categories').waitFor();
    expect(await page.locator('#project-categories').inputValue()).toBe('positive\nnegative\nneutral');
    await page.locator('#project-name').fill(PROJECT);
    await page.locator('#project-categories').fill('cat\ndog\nbird');

    // Markdown renders; raw HTML does not.
    await page.locator('#instructions-text').fill('# Animals\n\nPick the **animal** you see.\n\n<img src="x" onerror="window.pwned=1"><script>window.pwned=1</script>');
    const preview = page.locator('[data-testid=instructions-preview]');
    await preview.locator('h1', { hasText: 'Animals' }).waitFor();
    expect(await preview.locator('strong').textContent()).toBe('animal');
    expect(await preview.locator('img, script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();

    // French instructions too, in their own tab.
    await page.getByRole('tab', { name: 'Français' }).click();
    await page.locator('#instructions-text').fill("# Animaux\n\nChoisissez l'animal.");
    await preview.locator('h1', { hasText: 'Animaux' }).waitFor();

    expect(await page.locator('[data-testid=implied-hourly]').textContent()).toContain('per hour');
    await snap(page, 'new-project');
    await page.locator('[data-testid=create-project]').click();
    await page.waitForURL(new RegExp(`/projects/${PROJECT}$`));

    const requester = await h.apiAs(REQUESTER);
    const project = await requester.get<{ params: { categories: string[] }; instructions: Record<string, string>; overlap: { min: number }; pay: { piece_rate_minor: number } }>(`/projects/${PROJECT}`);
    expect(project.params.categories).toEqual(['cat', 'dog', 'bird']);
    expect(Object.keys(project.instructions).sort()).toEqual(['en', 'fr']);
    expect(project.overlap.min).toBeGreaterThanOrEqual(1);
    expect(project.pay.piece_rate_minor).toBeGreaterThan(0);
  });

  it('imports 10,000 dropped JSONL rows with progress on screen, and counts them', async () => {
    await page.locator('[data-testid=dropzone]').waitFor();
    await watchImport(page);
    await dropJsonl(page, ROWS, 'animals.jsonl');
    await page.locator('[data-testid=import-run][data-state=done]').waitFor({ timeout: 60_000 });
    expect(await valueOf(page, 'import-rows')).toBe(ROWS);
    expect(await valueOf(page, 'import-inserted')).toBe(ROWS);
    expect(await valueOf(page, 'import-failed')).toBe(0);
    const seen = await page.evaluate(() => (window as unknown as { importSeen: { state: string; rows: string }[] }).importSeen);
    expect(seen.some((s) => s.state === 'running')).toBe(true);
    expect(seen.at(-1)?.rows).toBe(String(ROWS));
    expect(await page.locator('[data-testid=import-run] [role=progressbar]').getAttribute('aria-valuenow')).toBe('100');

    // The project's counts follow.
    await page.locator(`[data-testid=count-total][data-value="${ROWS}"]`).waitFor();
    expect(await valueOf(page, 'count-pending')).toBe(ROWS);
    await page.locator(`[data-testid=tasks-total][data-value="${ROWS}"]`).waitFor();
    await snap(page, 'project-after-import');
  });

  it('adds nothing when the same file is dropped again, and says so', async () => {
    await dropJsonl(page, ROWS, 'animals.jsonl');
    await page.locator('[data-testid=import-run][data-state=done]').waitFor({ timeout: 60_000 });
    expect(await valueOf(page, 'import-inserted')).toBe(0);
    expect(await valueOf(page, 'import-existing')).toBe(ROWS);
    expect(await page.locator('[data-testid=import-summary]').textContent()).toContain('already there');
    // "Already there" is not a problem: no error table.
    expect(await page.locator('[data-testid=import-errors]').count()).toBe(0);
    await page.locator('[data-testid=import-history] tbody tr').nth(1).waitFor();
    expect(await valueOf(page, 'count-total')).toBe(ROWS);
  });

  it('reports a malformed line by its line number while the good lines land', async () => {
    const file = ['{"unique_id":"fine-1","attachments":[{"type":"text","content":"a cat"}]}', '{"unique_id":"broken", "attachments": [', '{"unique_id":"fine-2","attachments":[{"type":"text","content":"a dog"}]}', ''].join('\n');
    await page.locator('[data-testid=import-file]').setInputFiles({ name: 'broken.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(file) });
    await page.locator('[data-testid=import-run][data-state=done]').waitFor();
    expect(await valueOf(page, 'import-inserted')).toBe(2);
    expect(await valueOf(page, 'import-failed')).toBe(1);
    const problem = page.locator('[data-testid=import-errors] tbody tr');
    expect(await problem.count()).toBe(1);
    expect(await problem.getAttribute('data-line')).toBe('2');
    await page.locator(`[data-testid=count-total][data-value="${ROWS + 2}"]`).waitFor();
    expect(await page.locator('[data-testid=import-history] tbody tr').count()).toBe(3);
    await snap(page, 'import-errors');
  });

  it('pauses and resumes the project', async () => {
    const requester = await h.apiAs(REQUESTER);
    await page.locator('[data-testid=pause]').click();
    await page.locator('[data-testid=resume]').waitFor();
    expect((await requester.get<{ status: string }>(`/projects/${PROJECT}`)).status).toBe('paused');
    await page.locator('[data-testid=resume]').click();
    await page.locator('[data-testid=pause]').waitFor();
    expect((await requester.get<{ status: string }>(`/projects/${PROJECT}`)).status).toBe('active');
  });
});

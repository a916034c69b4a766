/*
 * Seven interface languages in a real browser: each page speaks the chosen language, Arabic turns
 * the layout right-to-left, and screenshots of the main pages in every language land in
 * test-output/screenshots/ for a person to look at.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, browserEnabled, type Harness, login, ROOT, snap, startHarness, warnIfSkipped } from './harness.ts';

warnIfSkipped();

const LOCALES = ['en', 'fr', 'es', 'pt', 'ja', 'ko', 'ar'] as const;
type Strings = { nav: { projects: string }; login: { submit: string }; projects: { title: string } };
const strings = (locale: string) => JSON.parse(readFileSync(join(ROOT, 'src/web/locales', `${locale}.json`), 'utf8')) as Strings;

const PAGES: [name: string, path: string][] = [
  ['projects', '/projects'],
  ['project', '/projects/demo-review-sentiment'],
  ['new-project', '/projects/new'],
  ['users', '/admin/users'],
  ['api-keys', '/keys'],
  ['work', '/work'],
  ['workbench', '/work/demo-review-sentiment'],
  ['review', '/review'],
  ['review-queue', '/review/demo-review-sentiment'],
];

async function pick(page: Page, locale: string): Promise<void> {
  await page.locator('[data-testid=language-picker]').selectOption(locale);
  await page.waitForFunction((l) => document.documentElement.lang === l, locale);
}

/** Waits until the page has its heading and nothing is still loading. */
async function settled(page: Page): Promise<void> {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.loading').length === 0);
}

async function brandX(page: Page): Promise<{ start: number; end: number; width: number }> {
  const box = await page.locator('[data-testid=brand]').boundingBox();
  if (!box) throw new Error('no brand');
  return { start: box.x, end: box.x + box.width, width: page.viewportSize()?.width ?? 0 };
}

describe.skipIf(!browserEnabled)('seven languages, right-to-left Arabic', () => {
  let h: Harness;
  let page: Page;

  beforeAll(async () => {
    h = await startHarness({ locale: 'en-US' });
    page = await h.newPage();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('starts in the browser language, and the login page speaks every language', async () => {
    await page.goto(`${h.baseUrl}/login`);
    await page.locator('#login-email').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    for (const locale of LOCALES) {
      await pick(page, locale);
      expect(await page.locator('form button[type=submit]').textContent()).toBe(strings(locale).login.submit);
      await snap(page, `${locale}-login`);
    }
  });

  it('switches to Arabic: dir="rtl" on <html>, and the layout mirrors', async () => {
    await pick(page, 'en');
    const ltr = await brandX(page);
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('ltr');
    expect(ltr.end).toBeLessThan(ltr.width / 2);

    await pick(page, 'ar');
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    const rtl = await brandX(page);
    expect(rtl.start).toBeGreaterThan(rtl.width / 2);
    // Mirrored, not merely moved: the same distance from the other edge.
    expect(Math.abs(rtl.width - rtl.end - ltr.start)).toBeLessThan(4);
  });

  it('saves a language picked before signing in to the account', async () => {
    await login(page, h.baseUrl, ADMIN);
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    const admin = await h.apiAs(ADMIN);
    await expect.poll(async () => (await admin.get<{ locale: string }>('/me')).locale).toBe('ar');
    // A fresh load keeps it: the account's language wins once signed in.
    await page.reload();
    await page.locator('main h1').waitFor();
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl']);
    expect(await page.locator('main h1').textContent()).toBe(strings('ar').projects.title);
  });

  it('shows every main page in all seven languages (screenshots in test-output/screenshots)', async () => {
    for (const locale of LOCALES) {
      await pick(page, locale);
      for (const [name, path] of PAGES) {
        await page.goto(`${h.baseUrl}${path}`);
        await settled(page);
        expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale);
        expect(await page.locator('nav a[href="/projects"]').textContent()).toBe(strings(locale).nav.projects);
        await snap(page, `${locale}-${name}`);
      }
    }
    // Nine pages in seven languages, each with full-page screenshots: longer than one test's default.
  }, 240_000);
});

/*
 * The browser suite's harness: builds the web app when its build is stale, serves it with the real
 * server (buildApp over a fresh SQLite database, seeded like a first start) on a free port, and drives
 * Debian's chromium through playwright-core. Runs only with TESSERA_TEST_BROWSER=1.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import type { Database } from '../src/db/index.ts';
import type { App } from '../src/server/app.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WEB_OUT = join(ROOT, 'dist/web');
const CHROMIUM = '/usr/bin/chromium';

/** True when this run should drive a browser (CI sets TESSERA_TEST_BROWSER=1). */
export const browserEnabled = process.env.TESSERA_TEST_BROWSER === '1';

let warned = false;
/** Says loudly, once per file, that the browser suite did not run and why. */
export function warnIfSkipped(): void {
  if (browserEnabled || warned) return;
  warned = true;
  const why = existsSync(CHROMIUM) ? 'TESSERA_TEST_BROWSER is not 1' : `TESSERA_TEST_BROWSER is not 1 (and ${CHROMIUM} is missing: apt-get install -y chromium)`;
  console.warn(`\n*** BROWSER SUITE NOT RUN: ${why}. Run it with TESSERA_TEST_BROWSER=1 npx vitest run e2e ***\n`);
}

export const ADMIN = { email: 'admin@example.com', password: 'password1' };

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function buildIsFresh(): boolean {
  const index = join(WEB_OUT, 'index.html');
  if (!existsSync(index)) return false;
  const sources = Math.max(newestMtime(join(ROOT, 'src/web')), newestMtime(join(ROOT, 'src/shared')), statSync(join(ROOT, 'vite.config.ts')).mtimeMs);
  return statSync(index).mtimeMs >= sources;
}

/**
 * Builds dist/web with vite.config.ts unless it is newer than every source. Test files run in
 * parallel processes, so a lock directory makes one build while the others wait for it.
 */
export async function ensureWebBuilt(): Promise<void> {
  if (buildIsFresh()) return;
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const lock = join(ROOT, 'dist/.web-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Someone else builds; a lock older than 3 minutes is left from a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another process to build the web app');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (buildIsFresh()) return;
    const { build } = await import('vite');
    // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ configFile: join(ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A signed-in HTTP client for reading back through the API what the browser did. */
export interface ApiClient {
  get<T = unknown>(path: string): Promise<T>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
}

export interface Harness {
  baseUrl: string;
  app: App;
  database: Database;
  /** The demo worker's credentials, printed once at first start. */
  worker: { email: string; password: string };
  context: BrowserContext;
  /** A new tab in the shared browser profile. */
  newPage(): Promise<Page>;
  /** Logs in over HTTP (no browser) and returns a client holding that session. */
  apiAs(credentials: { email: string; password: string }): Promise<ApiClient>;
  close(): Promise<void>;
}

/** Starts a server over a fresh database and a headless chromium. */
export async function startHarness(options: { locale?: string } = {}): Promise<Harness> {
  // Imported here, not at the top, so a skipped suite costs `npm test` nothing.
  const [{ chromium }, { migrateToLatest, openDatabase }, { buildApp }, { bootstrap }, { loadConfig }] = await Promise.all([
    import('playwright-core'),
    import('../src/db/index.ts'),
    import('../src/server/app.ts'),
    import('../src/server/bootstrap.ts'),
    import('../src/server/env.ts'),
  ]);
  await ensureWebBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
  const config = loadConfig({ DATA_DIR: dataDir, TESSERA_ADMIN_EMAIL: ADMIN.email, TESSERA_ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: 'warn' });
  const database = openDatabase({ sqliteFile: join(dataDir, 'tessera.db') });
  await migrateToLatest(database);
  const report = await bootstrap(database, config, Date.now);
  if (!report.demoWorker) throw new Error('bootstrap did not create the demo worker');
  const app = await buildApp({ config, database, webRoot: WEB_OUT, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  const baseUrl = `http://127.0.0.1:${address.port}`;

  const profile = mkdtempSync(join(tmpdir(), 'pw-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: options.locale ?? 'en-US',
    viewport: { width: 1280, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(20_000);

  const apiAs = async (credentials: { email: string; password: string }): Promise<ApiClient> => {
    const login = await fetch(`${baseUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
    if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${baseUrl}/v1${path}`, {
        method,
        headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    };
    return { get: (path) => call('GET', path), post: (path, body) => call('POST', path, body) };
  };

  return {
    baseUrl,
    app,
    database,
    worker: report.demoWorker,
    context,
    newPage: () => context.newPage(),
    apiAs,
    async close() {
      await context.close();
      await app.close();
      await database.dialect.close();
      rmSync(profile, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form and waits for the landing page. */
export async function login(page: Page, baseUrl: string, credentials: { email: string; password: string }, path = '/'): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.locator('#login-email').fill(credentials.email);
  await page.locator('#login-password').fill(credentials.password);
  await page.locator('form button[type=submit]').click();
  await page.locator('[data-testid=brand]').waitFor();
  await page.locator('#login-email').waitFor({ state: 'detached' });
}

/** Where screenshots go: test-output/screenshots/ at the repository root. */
export function screenshotPath(name: string): string {
  const dir = join(ROOT, 'test-output/screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}

/**
 * A full-page screenshot as a person would see the page: transitions finished, and the sticky top
 * bar at the top (a full-page capture would otherwise paint it where the viewport last was).
 */
export async function snap(page: Page, name: string): Promise<void> {
  await page.addStyleTag({ content: '.topbar { position: static !important; }' });
  await page.screenshot({ path: screenshotPath(name), fullPage: true, animations: 'disabled' });
}

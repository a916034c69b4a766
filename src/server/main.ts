import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { foldWalIntoFile, migrateToLatest, openConfiguredDatabase, openDatabase } from '../db/index.ts';
import { buildApp } from './app.ts';
import { type BootstrapReport, bootstrap } from './bootstrap.ts';
import { type Config, ConfigError } from './env.ts';

const WEB_SOURCE = resolve('src/web');
const WEB_OUT = resolve('dist/web');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the web app with Vite when the build is missing or older than its sources. */
export async function ensureWebBuilt(log: (message: string) => void): Promise<void> {
  if (!existsSync(join(WEB_SOURCE, 'index.html'))) return;
  const index = join(WEB_OUT, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(WEB_SOURCE)) return;
  log('building the web app (first start only)...');
  const { build } = await import('vite');
  await build({ configFile: resolve('vite.config.ts'), logLevel: 'warn' });
}

function printFirstStart(report: BootstrapReport): void {
  if (!report.admin) return;
  console.log('\nFirst start: sign in with');
  console.log(`  admin:  ${report.admin.email}  password: ${report.admin.generated ? report.admin.password : '(from TESSERA_ADMIN_PASSWORD)'}`);
  if (report.demoWorker) console.log(`  worker: ${report.demoWorker.email}  password: ${report.demoWorker.password}`);
  console.log('  (shown once: keep them; `bin/tessera user password --email <email>` sets a new one)\n');
}

/** What the operator can change when the server cannot listen, as a configuration error (no stack). */
function whyNotListening(error: unknown, config: Readonly<Config>): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') return new ConfigError([`PORT ${config.port} is in use (${where}): stop what listens there, or set PORT to another port`]);
  if (code === 'EACCES') return new ConfigError([`PORT ${config.port} needs privileges this process lacks (${where}): set PORT to 1024 or above`]);
  if (code === 'EADDRNOTAVAIL') return new ConfigError([`HOST ${config.host} is not an address of this machine`]);
  return error;
}

/**
 * The first start on SQLite builds its database aside and moves it into place only once the admin, the
 * demo worker and the demo are all in it. A first start stopped halfway (Ctrl-C while it seeds) leaves
 * no database behind, so the next start begins again and prints the passwords, instead of finding an
 * admin whose password nobody saw and half a demo. Undefined when this is not a first start on SQLite.
 */
async function firstStartAside(config: Readonly<Config>): Promise<BootstrapReport | undefined> {
  const file = join(config.dataDir, 'tessera.db');
  if (config.databaseUrl || existsSync(file)) return undefined;
  const aside = `${file}.first-start`;
  // What an earlier first start left when it was stopped.
  for (const leftover of [aside, `${aside}-wal`, `${aside}-shm`, `${aside}-journal`]) rmSync(leftover, { force: true });
  const database = openDatabase({ sqliteFile: aside });
  let report: BootstrapReport;
  try {
    await migrateToLatest(database);
    report = await bootstrap(database, config, Date.now);
  } finally {
    await database.dialect.close();
  }
  foldWalIntoFile(aside);
  renameSync(aside, file);
  return report;
}

/** Migrates, bootstraps, builds what is missing and serves until SIGINT/SIGTERM. */
export async function serve(config: Readonly<Config>): Promise<void> {
  const firstStart = await firstStartAside(config);
  const database = openConfiguredDatabase(config, { checkpointInBackground: true });
  await migrateToLatest(database);
  const report = firstStart ?? (await bootstrap(database, config, Date.now));
  // The first start's passwords come before the web build and the listen, either of which can be
  // interrupted or fail (a port in use): printed after them, they could be lost before they were seen.
  printFirstStart(report);
  await ensureWebBuilt((m) => console.log(m));
  const app = await buildApp({ config, database, logger: { level: config.logLevel } });
  const { startJobs } = await import('../jobs/index.ts');
  const jobs = config.jobs ? startJobs({ database, now: Date.now, log: app.log }) : undefined;
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    jobs?.stop();
    await app.close();
    await database.dialect.close();
    throw whyNotListening(error, config);
  }
  const where = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  console.log(`\nTessera is serving ${where} on ${database.dialect.name === 'sqlite' ? `SQLite (${config.dataDir})` : 'PostgreSQL'}\n`);
  const stop = async () => {
    jobs?.stop();
    await app.close();
    await database.dialect.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

import type { Database } from '../db/index.ts';
import { createUser, findUserByEmail, generatePassword, type Principal } from '../modules/accounts/index.ts';
import { seedDemo, seedEvaluationDemo } from '../modules/demo/index.ts';
import type { Config } from './env.ts';

export interface BootstrapReport {
  /** Set when this start created the admin: the credentials to print once. */
  admin?: { email: string; password: string; generated: boolean };
  demoWorker?: { email: string; password: string };
  demoSeeded: boolean;
}

/**
 * On a database without users: creates the admin (from TESSERA_ADMIN_EMAIL / _PASSWORD, or a
 * generated password) and, when demo is on, a demo worker and the demo project. Later starts change nothing.
 */
export async function bootstrap(database: Database, config: Readonly<Config>, now: () => number): Promise<BootstrapReport> {
  const { db } = database;
  const anyUser = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  const report: BootstrapReport = { demoSeeded: false };
  if (!anyUser) {
    const email = config.adminEmail ?? 'admin@tessera.local';
    const password = config.adminPassword ?? generatePassword();
    await createUser(db, { email, password, role: 'admin', displayName: 'Admin', languages: ['en', 'fr', 'es', 'pt', 'ja', 'ko', 'ar'] }, now());
    report.admin = { email, password, generated: config.adminPassword === undefined };
    if (config.demo) {
      const workerPassword = generatePassword();
      await createUser(db, { email: 'worker@tessera.local', password: workerPassword, role: 'worker', displayName: 'Demo worker', languages: ['en', 'fr', 'es', 'pt', 'ja', 'ko', 'ar'] }, now());
      report.demoWorker = { email: 'worker@tessera.local', password: workerPassword };
    }
  }
  if (config.demo && !anyUser) {
    const admin = (await findUserByEmail(db, config.adminEmail ?? 'admin@tessera.local')) as NonNullable<Awaited<ReturnType<typeof findUserByEmail>>>;
    const owner: Principal = { ...admin, apiKeyId: null, isTest: false };
    report.demoSeeded = await seedDemo(database, owner, now);
    await seedEvaluationDemo(database, owner, now);
  }
  return report;
}

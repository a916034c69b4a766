import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../src/db/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
  }
}

/**
 * Prepares the databases the suite runs on. SQLite needs nothing here (each test file opens its own).
 * With TESSERA_TEST_DIALECTS including postgres, a fresh database is created and migrated once.
 */
export default async function setup(project: TestProject) {
  const dialects = (process.env.TESSERA_TEST_DIALECTS ?? 'sqlite').split(',').map((d) => d.trim());
  if (!dialects.includes('postgres')) {
    console.warn('\n*** PostgreSQL suite NOT RUN: set TESSERA_TEST_DIALECTS=sqlite,postgres (and TESSERA_TEST_PG_URL) to run it. ***\n');
    project.provide('pgUrl', null);
    return;
  }
  const adminUrl = process.env.TESSERA_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `tessera_test_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = openDatabase({ postgresUrl: url.toString() });
  await migrateToLatest(database);
  await database.dialect.close();
  project.provide('pgUrl', url.toString());
  return async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
}

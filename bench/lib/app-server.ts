import { join } from 'node:path';
import { migrateToLatest, openConfiguredDatabase } from '../../src/db/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/env.ts';

// A child process serving buildApp() on 127.0.0.1, port 0, over the database the environment names
// (DATA_DIR or DATABASE_URL). Sends {port} to its parent over IPC; closes on SIGTERM or 'stop'.
// Migrates like `serve`; no jobs, no logger: the app alone. Used where the brief asks for buildApp rather than `serve`.

const config = { ...loadConfig(process.env), demo: false, jobs: false };
const database = openConfiguredDatabase(config);
// As `serve` does: a database from an earlier build of the code is brought up to date first.
await migrateToLatest(database);
const app = await buildApp({ config, database, logger: false, webRoot: join(config.dataDir, 'no-web') });
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address() as { port: number };
process.send?.({ port });

const stop = async () => {
  await app.close();
  await database.dialect.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.on('message', (m) => {
  if (m === 'stop') void stop();
});

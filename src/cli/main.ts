import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { migrateToLatest } from '../db/index.ts';
import { openForCommand } from './database.ts';
import { createApiKey, createUser, findUserByEmail, generatePassword, getUser, LOCALES, ROLES, type Role, updateUser } from '../modules/accounts/index.ts';
import { createProject, findProjectByName } from '../modules/projects/index.ts';
import { formatFrom, type ImportFormat, importTasks } from '../modules/tasks/index.ts';
import { ConfigError, loadConfig } from '../server/env.ts';
import { registerAggregateCommand } from './commands/aggregate.ts';
import { registerExportCommand } from './commands/export.ts';
import { registerRecordsCommand } from './commands/records.ts';
import { AppError } from '../server/errors.ts';

/** A command that needs the database: opens it (migrated), runs, closes. */
async function withDatabase<T>(fn: (database: ReturnType<typeof openForCommand>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = openForCommand(config);
  try {
    await migrateToLatest(database);
    return await fn(database);
  } finally {
    await database.dialect.close();
  }
}

const program = new Command('tessera').description('Tessera: a self-hosted AI data engine').showHelpAfterError();

program
  .command('serve')
  .description('migrate, seed a fresh database, build the web app if needed, and serve HTTP')
  .action(async () => {
    const { serve } = await import('../server/main.ts');
    await serve(loadConfig());
  });

program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(async () => {
    const applied = await withDatabase((database) => migrateToLatest(database));
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
  });

const user = program.command('user').description('manage users');
user
  .command('create')
  .description('create a user')
  .requiredOption('--email <email>')
  .addOption(new Option('--role <role>').choices([...ROLES]).makeOptionMandatory())
  .requiredOption('--password <password>', 'at least 8 characters')
  .option('--name <name>', 'display name')
  .option('--languages <codes>', 'languages the person reads, comma-separated', 'en')
  .addOption(new Option('--locale <locale>', 'interface language').choices([...LOCALES]).default('en'))
  .action(async (o: { email: string; role: Role; password: string; name?: string; languages: string; locale: string }) => {
    if (o.password.length < 8) throw new AppError('validation_failed', 'the password needs at least 8 characters');
    const created = await withDatabase((d) =>
      createUser(d.db, { email: o.email, password: o.password, role: o.role, displayName: o.name, languages: o.languages.split(',').map((l) => l.trim()), locale: o.locale }, Date.now()),
    );
    console.log(`created ${created.role} ${created.email} (id ${created.id})`);
  });
user
  .command('password')
  .description("set a user's password (a generated one is printed when --password is left out); ends their sessions")
  .requiredOption('--email <email>')
  .option('--password <password>', 'at least 8 characters')
  .action(async (o: { email: string; password?: string }) => {
    if (o.password !== undefined && o.password.length < 8) throw new AppError('validation_failed', 'the password needs at least 8 characters');
    const password = o.password ?? generatePassword();
    const updated = await withDatabase(async (d) => {
      const found = await findUserByEmail(d.db, o.email);
      if (!found) throw new AppError('user_not_found', `no user with email ${o.email}`);
      return updateUser(d.db, found.id, { password });
    });
    console.log(o.password === undefined ? `${updated.email}  password: ${password}` : `password set for ${updated.email}`);
  });

program
  .command('apikey')
  .description('manage API keys')
  .command('create')
  .description('create an API key for a user and print it (shown once)')
  .requiredOption('--email <email>')
  .option('--name <name>', 'a label for the key', '')
  .option('--test', 'a test_ key: its tasks never reach workers')
  .action(async (o: { email: string; name: string; test?: boolean }) => {
    const config = loadConfig();
    const key = await withDatabase(async (d) => {
      const found = await findUserByEmail(d.db, o.email);
      if (!found) throw new AppError('user_not_found', `no user with email ${o.email}`);
      return (await createApiKey(d.db, config.secret, found.id, { name: o.name, test: o.test }, Date.now())).key;
    });
    console.log(key);
  });

program
  .command('project')
  .description('manage projects')
  .command('create')
  .description('create a project owned by a user')
  .requiredOption('--name <name>')
  .requiredOption('--type <type>', 'a task type, e.g. categorization')
  .requiredOption('--owner <email>', 'the requester who owns it')
  .option('--params <json>', "the type's preset fields as JSON", '{}')
  .option('--overlap <n>', 'answers per task', '1')
  .action(async (o: { name: string; type: string; owner: string; params: string; overlap: string }) => {
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(o.params);
    } catch {
      throw new AppError('invalid_json', '--params is not valid JSON');
    }
    const overlap = Number(o.overlap);
    if (!Number.isInteger(overlap) || overlap < 1 || overlap > 100) throw new AppError('validation_failed', '--overlap must be an integer from 1 to 100');
    const project = await withDatabase(async (d) => {
      const found = await findUserByEmail(d.db, o.owner);
      if (!found) throw new AppError('user_not_found', `no user with email ${o.owner}`);
      return createProject(d.db, { ...found, apiKeyId: null, isTest: false }, { name: o.name, type: o.type, params, overlap: { min: overlap } }, Date.now());
    });
    console.log(`created project ${project.name} (${project.type})`);
  });

program
  .command('import')
  .description('import a JSONL, JSON-array or CSV file of tasks into a project (idempotent by unique_id)')
  .argument('<file>')
  .requiredOption('--project <name>')
  .addOption(new Option('--format <format>', 'default: from the file extension').choices(['jsonl', 'json', 'csv']))
  .option('--quiet', 'no progress bar')
  .action(async (file: string, o: { project: string; format?: ImportFormat; quiet?: boolean }) => {
    if (!existsSync(file)) throw new AppError('invalid_import', `no such file: ${file}`);
    const format = o.format ?? formatFrom(file);
    if (!format) throw new AppError('invalid_import', 'cannot tell the format from the file name; pass --format jsonl|json|csv');
    const size = statSync(file).size;
    const summary = await withDatabase(async (d) => {
      const project = await findProjectByName(d.db, o.project);
      if (!project) throw new AppError('project_not_found', `no project named ${o.project}`);
      const owner = await getUser(d.db, project.ownerId);
      const bar = o.quiet
        ? undefined
        : new cliProgress.SingleBar(
            { format: ' {bar} {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted} | {failed} errors', hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
      const started = Date.now();
      bar?.start(size, 0, { rows: 0, rate: 0, failed: 0 });
      const result = await importTasks(d, {
        owner: { ...owner, apiKeyId: null, isTest: false },
        project,
        input: createReadStream(file, { highWaterMark: 1024 * 1024 }),
        format,
        source: basename(file),
        now: Date.now,
        onProgress: (p) => bar?.update(p.bytes, { rows: p.rows, failed: p.failed, rate: Math.round(p.rows / Math.max(0.001, (Date.now() - started) / 1000)) }),
      });
      bar?.update(size, { rows: result.rows, failed: result.failed });
      bar?.stop();
      return result;
    });
    console.log(`${summary.rows} rows: ${summary.inserted} imported, ${summary.existing} already there, ${summary.failed} failed (${summary.seconds.toFixed(1)} s)`);
    for (const e of summary.errors.slice(0, 20)) console.log(`  line ${e.line}: ${e.code}: ${e.message}`);
    if (summary.failed > 20) console.log(`  ... ${summary.failed - 20} more`);
    if (summary.file_error) {
      console.error(`stopped: ${summary.file_error}`);
      process.exitCode = 1;
    }
  });

registerAggregateCommand(program);
registerExportCommand(program);
registerRecordsCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof AppError) console.error(`error: ${error.code}: ${error.message}`);
  else throw error;
  process.exitCode = 2;
}

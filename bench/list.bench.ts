import { join } from 'node:path';
import { findUserByEmail } from '../src/modules/accounts/index.ts';
import { listTasksFor } from '../src/modules/tasks/index.ts';
import { createPrng } from '../src/modules/quality/aggregation/index.ts';
import { bind, capturePageQuery } from './lib/capture.ts';
import { type Figure, fmt, log, Samples, type SectionResult, sectionMain, table, verdict } from './lib/common.ts';
import { ensureSqlite1m, openSqliteDataDir, REQUESTER_EMAIL, requesterKey } from './lib/fixtures.ts';
import { Client, startAppServer } from './lib/http.ts';
import { openRawSqlite } from './lib/sqlite.ts';
import { profilesFor, summariseProfile } from './lib/profile.ts';

// Section 3: paging GET /v1/tasks over a 1M-task project on SQLite, sequential requests through
// the real HTTP server, beside the same page in-process (service) and as bare SQL.

const LIMIT = 100;
const WARMUP_PAGES = 200;
const PAGES = 3_000;
const WALK_PAGES = 50;

const token = (after: number, total: number) => Buffer.from(JSON.stringify({ a: after, t: total })).toString('base64url');

async function runList(): Promise<SectionResult> {
  const { dataDir, project } = await ensureSqlite1m();
  const database = openSqliteDataDir(dataDir);
  const key = await requesterKey(database);
  const owner = await findUserByEmail(database.db, REQUESTER_EMAIL);
  if (!owner) throw new Error('no requester');
  const principal = { ...owner, apiKeyId: null, isTest: false };
  const projectRow = await database.db.selectFrom('projects').select('id').where('name', '=', project).executeTakeFirstOrThrow();
  const projectId = Number(projectRow.id);
  const range = await database.db
    .selectFrom('tasks')
    .select((eb) => [eb.fn.min('id').as('lo'), eb.fn.max('id').as('hi'), eb.fn.countAll().as('n')])
    .where('project_id', '=', projectId)
    .executeTakeFirstOrThrow();
  const lo = Number(range.lo);
  const hi = Number(range.hi);
  const count = Number(range.n);

  // The same random page starts for every layer, seeded.
  const random = createPrng(20240607);
  const afters = Array.from({ length: WARMUP_PAGES + PAGES }, () => lo - 1 + Math.floor(random() * (hi - lo - LIMIT)));

  log(`list: ${PAGES} random pages of ${LIMIT} over ${count.toLocaleString('en')} tasks: HTTP, in-process service, bare SQL, interleaved`);
  const server = await startAppServer({ DATA_DIR: dataDir }, 'list-server');
  const client = new Client('127.0.0.1', server.port);
  const auth = { authorization: `Bearer ${key}` };
  const base = `/v1/tasks?project=${encodeURIComponent(project)}&limit=${LIMIT}`;
  // The bare page query is the one listTasksFor sends, captured from it (a cursor no other parameter can equal).
  const probe = lo + 123_457;
  const pageQuery = await capturePageQuery(join(dataDir, 'tessera.db'), probe, (db) =>
    listTasksFor(db, principal, { project, limit: LIMIT, next_token: token(probe, count) }),
  );
  const raw = openRawSqlite(join(dataDir, 'tessera.db'), { readonly: true });
  const statement = raw.prepare(pageQuery.sql);
  const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${pageQuery.sql}`).all(...bind(pageQuery, { after: lo })) as Array<{ detail: string }>).map((r) => r.detail);
  let total = 0;
  let bytes = 0;
  const walk = new Samples();
  const http = new Samples();
  const service = new Samples();
  const bare = new Samples();
  try {
    // A first walk from the start, following next_token: checks the token format the random pages build.
    let next: string | null = null;
    for (let i = 0; i < WALK_PAGES; i++) {
      const t0 = performance.now();
      const reply = await client.send('GET', next ? `${base}&next_token=${next}` : base, auth);
      walk.push(performance.now() - t0);
      if (reply.status !== 200) throw new Error(`GET /v1/tasks answered ${reply.status}: ${reply.body.slice(0, 300)}`);
      const body = JSON.parse(reply.body) as { docs: Array<{ task_id: string }>; total: number; next_token: string | null };
      total = body.total;
      const last = Number(body.docs[body.docs.length - 1].task_id);
      if (body.next_token !== token(last, total)) throw new Error(`next_token ${body.next_token} is not base64url({a, t}) of ${last}, ${total}`);
      next = body.next_token;
    }
    // Each position is read by the three layers in turn, so noise from other load on the machine
    // falls on all three alike.
    for (let i = 0; i < afters.length; i++) {
      const measured = i >= WARMUP_PAGES;
      let t0 = performance.now();
      const reply = await client.send('GET', `${base}&next_token=${token(afters[i], total)}`, auth);
      let ms = performance.now() - t0;
      if (reply.status !== 200) throw new Error(`GET /v1/tasks answered ${reply.status}: ${reply.body.slice(0, 300)}`);
      if (measured) {
        http.push(ms);
        bytes += Buffer.byteLength(reply.body);
      }
      if (i === WARMUP_PAGES && (JSON.parse(reply.body) as { docs: unknown[] }).docs.length !== LIMIT) throw new Error('short page');

      t0 = performance.now();
      const page = await listTasksFor(database.db, principal, { project, limit: LIMIT, next_token: token(afters[i], total) });
      ms = performance.now() - t0;
      if (measured) service.push(ms);
      if (page.docs.length !== LIMIT) throw new Error('short page in-process');

      t0 = performance.now();
      const rows = statement.all(...bind(pageQuery, { after: afters[i] }));
      ms = performance.now() - t0;
      if (measured) bare.push(ms);
      if (rows.length !== LIMIT + 1) throw new Error('short page in bare SQL');
    }
  } finally {
    client.close();
    await server.stop();
    raw.close();
    await database.dialect.close();
  }

  const p99 = http.percentile(99);
  const met = p99 < 20;
  const row = (name: string, s: Samples) => [name, fmt.ms(s.percentile(50)), fmt.ms(s.percentile(99)), fmt.ms(s.percentile(100)), fmt.ms(s.mean())];
  const figures: Figure[] = [
    {
      section: 'List',
      name: `GET /v1/tasks, 100/page, 1M tasks, p50 / p99`,
      value: `${fmt.ms(http.percentile(50))} / ${fmt.ms(p99)}`,
      baseline: `bare SQL ${fmt.ms(bare.percentile(50))} / ${fmt.ms(bare.percentile(99))}`,
      target: 'p99 < 20 ms',
      met,
    },
  ];
  const profiles = profilesFor('list-server');
  const md = [
    '## 3. List',
    '',
    `\`GET /v1/tasks?project=${project}&limit=${LIMIT}&next_token=…\` over the ${count.toLocaleString('en')}-task project imported in section 1 (SQLite),`,
    'through the real HTTP server: `buildApp` in a child process listening on 127.0.0.1 port 0, authenticated with an API key',
    'from `createApiKey`, one request at a time over a keep-alive connection. The client first walks',
    `${WALK_PAGES} pages from the start following \`next_token\` (checking each token is base64url of \`{"a": lastId, "t": total}\`), then`,
    `requests ${(WARMUP_PAGES + PAGES).toLocaleString('en')} pages at seeded random positions (tokens built the same way); the first ${WARMUP_PAGES} are warm-up, so`,
    `**${PAGES.toLocaleString('en')} pages** are measured. Latency is the client's round trip. Each position is also read in-process`,
    'through the service (`listTasksFor`, Kysely, presentation included, no HTTP) and as the bare SQL page query with',
    'better-sqlite3 (the statement `listTasksFor` sends, captured from it at run time, prepared once), the three interleaved page by page.',
    '',
    table(
      ['layer', 'p50', 'p99', 'max', 'mean'],
      [
        row('**HTTP** `GET /v1/tasks` (random pages)', http),
        row('HTTP, first walk from the start (following next_token)', walk),
        row('in-process `listTasksFor` (no HTTP)', service),
        row('**baseline**: bare SQL page query (better-sqlite3)', bare),
      ],
    ),
    '',
    `Mean response: ${(bytes / http.length / 1024).toFixed(1)} KiB per page. SQLite plan of the page query: ${plan.map((p) => `\`${p}\``).join('; ')}.`,
    '',
    `Target: p99 < 20 ms — ${verdict(met)} (${fmt.ms(p99)}).`,
    profiles.length ? `\n\nCPU profile of the server (top self time):\n\n${summariseProfile(profiles[0])}` : '',
  ].join('\n');
  return { markdown: md, figures };
}

await sectionMain(import.meta.url, { list: runList });

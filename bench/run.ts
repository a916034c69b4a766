import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { type Figure, REPO_ROOT, type SectionResult, table, verdict } from './lib/common.ts';
import { dropRunDatabases, postgresVersion } from './lib/pg.ts';
import { sqliteVersion } from './lib/sqlite.ts';

// `npm run bench [-- SECTION ...] [--profile]`: runs the benchmark sections one at a time, each in a
// child process of its own (so peak RSS and GC of one never touch another), and writes BENCHMARKS.md.
// With section names, only those run and their blocks replace the same blocks of the existing file.
// --profile adds `node --cpu-prof` to the server and import processes and appends their top
// self-time functions to the sections; being slowed by the profiler, that run writes
// bench/.profiles/BENCHMARKS.profile.md (beside the .cpuprofile files), not BENCHMARKS.md.

interface Section {
  name: string;
  file: string;
  /** Arguments after the file (default: the section name). */
  args?: string[];
  what: string;
  /** Kill the section after this long: a hung server must not hang the run. */
  timeoutMs: number;
}

const SECTIONS: Section[] = [
  { name: 'import', file: 'import.bench.ts', what: '1M-task import on SQLite vs a bare bulk insert', timeoutMs: 10 * 60_000 },
  { name: 'import-pg', file: 'import.bench.ts', what: '1M-task import on PostgreSQL vs a bare batched insert', timeoutMs: 10 * 60_000 },
  { name: 'list', file: 'list.bench.ts', what: 'GET /v1/tasks paging over 1M tasks vs the bare SQL page', timeoutMs: 6 * 60_000 },
  { name: 'work', file: 'work.bench.ts', what: 'claim + submit load on SQLite vs bare claim SQL and bare Fastify', timeoutMs: 10 * 60_000 },
  { name: 'work-pg', file: 'work.bench.ts', what: 'claim + submit on two PostgreSQL nodes vs bare SKIP LOCKED claims', timeoutMs: 6 * 60_000 },
  { name: 'exports', file: 'exports.bench.ts', what: '1M completed tasks to JSONL and Parquet vs a bare JSON.stringify loop', timeoutMs: 10 * 60_000 },
  { name: 'aggregation', file: join('lib', 'aggregation-section.ts'), what: 'label aggregation accuracy and Dawid-Skene at 1M answers', timeoutMs: 6 * 60_000 },
];

/**
 * Other bench/*.bench.ts files (written alongside, for other modules), run only when named or with
 * `all`: a file that calls sectionMain runs as its own section; one that only exports
 * `runXBench(): Promise<string>` runs through bench/lib/external-section.ts.
 */
function discoverSections(): Section[] {
  const known = new Set(['import.bench.ts', 'list.bench.ts', 'work.bench.ts', 'aggregation.bench.ts']);
  const found: Section[] = [];
  for (const file of readdirSync(join(REPO_ROOT, 'bench')).filter((f) => f.endsWith('.bench.ts') && !known.has(f)).sort()) {
    const text = readFileSync(join(REPO_ROOT, 'bench', file), 'utf8');
    const own = /sectionMain\(import\.meta\.url, \{\s*'?([\w-]+)'?\s*:/.exec(text);
    const exported = /export async function (run\w*Bench)\(\)/.exec(text);
    const name = own?.[1] ?? file.replace(/\.bench\.ts$/, '');
    if (own) found.push({ name, file, what: `bench/${file} (section "${name}")`, timeoutMs: 15 * 60_000 });
    else if (exported) found.push({ name, file: join('lib', 'external-section.ts'), args: [file, exported[1]], what: `bench/${file}, ${exported[1]}()`, timeoutMs: 15 * 60_000 });
  }
  return found.filter((f) => !SECTIONS.some((s) => s.name === f.name));
}

const OUTPUT = join(REPO_ROOT, 'BENCHMARKS.md');
// A profiled run is slowed by the profiler: its report goes beside the profiles, never into BENCHMARKS.md.
const PROFILE_DIR = join(REPO_ROOT, 'bench', '.profiles');
const PROFILE_OUTPUT = join(PROFILE_DIR, 'BENCHMARKS.profile.md');

interface Block {
  name: string;
  figures: Figure[];
  body: string;
}

/** Machine-wide CPU jiffies (busy, total) from /proc/stat. */
/** The CPUs, as figures measured on them are labelled: "2 × AMD EPYC". */
function machineName(): string {
  const list = cpus();
  return `${list.length} × ${list[0]?.model ?? '?'}`;
}

function machineCpu(): { busy: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = fields[3] + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

/** CPU seconds used by this process's finished (waited-for) children and their descendants. */
function childrenCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

let current: ReturnType<typeof fork> | undefined;

function runSection(section: Section, env: NodeJS.ProcessEnv): Promise<SectionResult> {
  return new Promise((resolve, reject) => {
    let result: SectionResult | undefined;
    const child = fork(join(REPO_ROOT, 'bench', section.file), section.args ?? [section.name], {
      cwd: REPO_ROOT,
      env,
      // Room for the 1M pre-serialised rows of the bare-insert baselines.
      execArgv: ['--max-old-space-size=4096', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    current = child;
    // SIGTERM first, so the section stops the servers it started; SIGKILL if it does not go.
    const timer = setTimeout(() => {
      process.stderr.write(`[bench] ${section.name} exceeded ${section.timeoutMs / 60_000} min; stopping it\n`);
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 10_000).unref();
    }, section.timeoutMs);
    let failure: string | undefined;
    child.on('message', (m) => {
      const message = m as { type: string; result: SectionResult; message: string };
      if (message.type === 'result') result = message.result;
      if (message.type === 'error') failure = message.message;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      if (result) resolve(result);
      else reject(new Error(failure ?? `exited with ${signal ?? code} before reporting`));
    });
  });
}

function parseExisting(output: string): Map<string, Block> {
  const blocks = new Map<string, Block>();
  if (!existsSync(output)) return blocks;
  const text = readFileSync(output, 'utf8');
  const re = /<!-- section:([\w-]+) (.*?) -->\n([\s\S]*?)\n<!-- \/section:\1 -->/g;
  for (const m of text.matchAll(re)) {
    try {
      blocks.set(m[1], { name: m[1], figures: JSON.parse(m[2]) as Figure[], body: m[3] });
    } catch {
      // A block whose figures do not parse is dropped rather than guessed at.
    }
  }
  return blocks;
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const extra = discoverSections();
  const everything = [...SECTIONS, ...extra];
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      `npm run bench [-- SECTION ... | all] [--profile]\n\nSections (default: these, in this order):\n${SECTIONS.map((s) => `  ${s.name.padEnd(12)} ${s.what}`).join('\n')}` +
        (extra.length ? `\n\nOther sections in bench/ (run when named, or with "all"):\n${extra.map((s) => `  ${s.name.padEnd(12)} ${s.what}`).join('\n')}` : ''),
    );
    return;
  }
  const profile = args.includes('--profile');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => n !== 'all' && !everything.some((s) => s.name === n));
  if (unknown.length) {
    console.error(`unknown section(s): ${unknown.join(', ')}; choose from ${everything.map((s) => s.name).join(', ')}, all`);
    process.exitCode = 2;
    return;
  }
  const chosen = names.includes('all') ? everything : names.length ? everything.filter((s) => names.includes(s.name)) : SECTIONS;

  const started = Date.now();
  const runDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const tag = `r${process.pid}`;
  const profileDir = profile ? PROFILE_DIR : undefined;
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    writeFileSync(join(profileDir, '.gitignore'), '*\n');
    // Profiles of an earlier run must not be mistaken for this run's.
    for (const f of readdirSync(profileDir)) if (f !== '.gitignore') rmSync(join(profileDir, f), { recursive: true, force: true });
  }
  const output = profile ? PROFILE_OUTPUT : OUTPUT;
  const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_BENCH_DIR: runDir, TESSERA_BENCH_TAG: tag, ...(profileDir && { TESSERA_BENCH_PROFILE: profileDir }) };

  const cleanup = async () => {
    rmSync(runDir, { recursive: true, force: true });
    const dropped = await dropRunDatabases(tag).catch(() => []);
    if (dropped.length) process.stderr.write(`[bench] dropped leftover scratch databases: ${dropped.join(', ')}\n`);
  };
  const interrupt = () => {
    if (current?.pid) current.kill('SIGTERM');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const blocks = parseExisting(output);
  try {
    for (const section of chosen) {
      process.stderr.write(`\n[bench] === ${section.name}: ${section.what}\n`);
      const load0 = loadavg()[0];
      const cpu0 = machineCpu();
      const own0 = childrenCpuSeconds();
      const t0 = Date.now();
      let result: SectionResult;
      try {
        result = await runSection(section, env);
      } catch (error) {
        result = { markdown: `## ${section.name}\n\n**This section failed:**\n\n\`\`\`\n${(error as Error).message.slice(0, 3000)}\n\`\`\``, figures: [{ section: section.name, name: 'section failed', value: '—', baseline: '—', target: '—', met: false }] };
      }
      const seconds = (Date.now() - t0) / 1000;
      const cpu1 = machineCpu();
      const machineBusy = (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total);
      const own = (childrenCpuSeconds() - own0) / (seconds * cpus().length);
      const note =
        `_Measured ${new Date(t0).toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machineName()} in ${seconds.toFixed(0)} s. Both cores were ${(machineBusy * 100).toFixed(0)}% busy over the section, ` +
        `${(own * 100).toFixed(0)}% by this benchmark's own processes${section.name.endsWith('-pg') ? ' (PostgreSQL server processes count as other)' : ''}; ` +
        `1-min load average ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end._`;
      blocks.set(section.name, { name: section.name, figures: result.figures, body: `${result.markdown.trimEnd()}\n\n${note}` });
      process.stderr.write(`[bench] ${section.name} done in ${seconds.toFixed(0)} s\n`);
    }
  } finally {
    await cleanup();
  }

  const totalSeconds = (Date.now() - started) / 1000;
  const cpuList = cpus();
  const order = everything.map((s) => s.name);
  const ordered = [...order.map((n) => blocks.get(n)), ...[...blocks.values()].filter((b) => !order.includes(b.name))].filter((b): b is Block => b !== undefined);
  const figures = ordered.flatMap((b) => b.figures);
  const kept = ordered.filter((b) => !chosen.some((c) => c.name === b.name)).map((b) => b.name);
  const header = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (bench/run.ts); do not edit by hand. Each figure stands beside a baseline measured in the',
    'same run on the same machine: the bare database statement or the bare HTTP framework doing the same work. Benchmarks',
    'report, they do not fail: a missed target is marked **missed**.',
    '',
    `- Run: ${new Date(started).toISOString().slice(0, 16).replace('T', ' ')} UTC, sections ${chosen.map((s) => s.name).join(', ')} in ${(totalSeconds / 60).toFixed(1)} min${kept.length ? ` (${kept.join(', ')}: figures and date of their own last run, which may have been on another machine)` : ''}.`,
    `- Machine: ${machineName()}${cpuList[0]?.speed ? ` (${cpuList[0].speed} MHz)` : ''}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Linux ${release()}.`,
    `- Software: Node ${process.version}, SQLite ${sqliteVersion()} (better-sqlite3 ${packageVersion('better-sqlite3')}), PostgreSQL ${await postgresVersion()} on the same machine, Fastify ${packageVersion('fastify')}, pg ${packageVersion('pg')}.`,
    '- Load generation, servers and PostgreSQL all share these 2 cores; the machine may also carry other work (each section',
    '  states how busy the cores were and how much of that was the benchmark itself).',
    profile ? '- **Profiled run** (`--profile`): servers and imports ran under `node --cpu-prof`, which slows them; use these figures for diagnosis only.' : '',
    '',
    '## Summary',
    '',
    table(
      ['section', 'figure', 'measured', 'baseline (same run)', 'target', 'met'],
      figures.map((f) => [f.section, f.name, f.value, f.baseline, f.target, f.met === undefined ? '—' : verdict(f.met)]),
      ['l', 'l', 'r', 'l', 'l', 'l'],
    ),
    '',
  ].filter((line, i, all) => line !== '' || all[i - 1] !== '');
  const body = ordered.map((b) => `<!-- section:${b.name} ${JSON.stringify(b.figures)} -->\n${b.body}\n<!-- /section:${b.name} -->`);
  writeFileSync(output, `${header.join('\n')}\n${body.join('\n\n')}\n`);
  process.stderr.write(`\n[bench] wrote ${output} in ${(totalSeconds / 60).toFixed(1)} min\n`);
}

await main();

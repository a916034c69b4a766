import { spawn, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Shared plumbing for the benchmark sections: paths, child processes, statistics, Markdown.

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The real CLI, as an operator runs it. */
export const TESSERA_BIN = join(REPO_ROOT, 'bin', 'tessera');
/** Same secret for every server and for the keys the benchmark mints, so keys work on every node. */
export const BENCH_SECRET = 'bench-secret-bench-secret-bench-secret-0001';
export const BENCH_PASSWORD = 'correct horse battery';

/**
 * The folder this run keeps its fixtures in (generated files, the 1M-task SQLite database).
 * bench/run.ts creates it and passes TESSERA_BENCH_DIR to every section so later sections reuse
 * what earlier ones built; a section run on its own makes one and deletes it on exit.
 */
export function runDir(): string {
  const given = process.env.TESSERA_BENCH_DIR;
  if (given) {
    mkdirSync(given, { recursive: true });
    return given;
  }
  if (!ownRunDir) {
    ownRunDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
    process.env.TESSERA_BENCH_DIR = ownRunDir;
    const dir = ownRunDir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return ownRunDir;
}
let ownRunDir: string | undefined;

/** A fresh empty folder inside the run folder. */
export function freshDir(name: string): string {
  const dir = join(runDir(), name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function fileExists(path: string): boolean {
  return existsSync(path);
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion, capturing output; throws when it fails unless `allowFailure`. */
export function runCommand(cmd: string, args: string[], opts: SpawnOptions & { allowFailure?: boolean } = {}): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: REPO_ROOT, ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => {
      const result = { code, stdout, stderr, ms: performance.now() - started };
      if (code !== 0 && !opts.allowFailure) reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}\n${stdout}\n${stderr}`));
      else resolvePromise(result);
    });
  });
}

/**
 * Node flags for children that run app code: `--cpu-prof` into TESSERA_BENCH_PROFILE when the
 * runner was started with --profile (diagnosis only: profiling slows what it measures).
 */
export function profileFlags(label: string): string[] {
  const dir = process.env.TESSERA_BENCH_PROFILE;
  // One folder per process: V8 writes a profile per thread (tsx's loader runs in a worker thread).
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, `${label}-${Date.now()}`)}`] : [];
}

/**
 * Runs `bin/tessera ARGS` (as its shebang would: `node bin/tessera`) with extra environment.
 * With `time`, under GNU time -v, whose "Maximum resident set size" is the child's peak RSS.
 */
export async function tessera(args: string[], env: Record<string, string>, opts: { time?: boolean; profile?: string } = {}): Promise<CommandResult & { maxRssMb?: number }> {
  const fullEnv = { ...process.env, LOG_LEVEL: 'warn', TESSERA_DEMO: 'false', TESSERA_SECRET: BENCH_SECRET, ...env };
  const node = [...(opts.profile ? profileFlags(opts.profile) : []), TESSERA_BIN, ...args];
  if (!opts.time) return runCommand(process.execPath, node, { env: fullEnv });
  const r = await runCommand('/usr/bin/time', ['-v', process.execPath, ...node], { env: fullEnv });
  const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return { ...r, maxRssMb: match ? Number(match[1]) / 1024 : undefined };
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePromise(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Statistics

/** Latencies in ms, kept in a growable Float64Array (millions of samples without GC churn). */
export class Samples {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  /** Nearest-rank percentile, p in [0, 100]. NaN when empty. */
  percentile(p: number): number {
    if (this.length === 0) return Number.NaN;
    const sorted = this.sorted();
    const rank = Math.min(this.length - 1, Math.max(0, Math.ceil((p / 100) * this.length) - 1));
    return sorted[rank];
  }
  mean(): number {
    let sum = 0;
    for (let i = 0; i < this.length; i++) sum += this.data[i];
    return sum / this.length;
  }
  private cache?: Float64Array;
  private cacheLength = -1;
  private sorted(): Float64Array {
    if (this.cacheLength !== this.length) {
      this.cache = this.data.slice(0, this.length).sort();
      this.cacheLength = this.length;
    }
    return this.cache as Float64Array;
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting

/** One headline figure: what was measured, beside what it is compared with and the target. */
export interface Figure {
  section: string;
  name: string;
  value: string;
  baseline: string;
  target: string;
  /** undefined: no target. */
  met?: boolean;
}

/** What a section hands back to the runner. */
export interface SectionResult {
  markdown: string;
  figures: Figure[];
}

export const fmt = {
  int: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '—'),
  ms: (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms` : '—'),
  mb: (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? `${n.toFixed(0)} MB` : '—'),
  pct: (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(0)}%` : '—'),
  s: (ms: number) => `${(ms / 1000).toFixed(1)} s`,
  rate: (n: number, unit: string) => (Number.isFinite(n) ? `${Math.round(n).toLocaleString('en')}${unit ? ` ${unit}` : ''}` : '—'),
};

export const verdict = (met: boolean | undefined) => (met === undefined ? '' : met ? 'met' : '**missed**');

/** A Markdown table. */
export function table(head: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const sep = head.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : '---'));
  return [`| ${head.join(' | ')} |`, `|${sep.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Progress on stderr, so a long run shows where it is. */
export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * Entry point of a section file run as `node --import tsx bench/X.bench.ts SECTION`: runs the
 * section and sends its result to the runner over IPC (or prints the Markdown when run by hand).
 */
export async function sectionMain(moduleUrl: string, sections: Record<string, () => Promise<SectionResult>>): Promise<void> {
  const { pathToFileURL } = await import('node:url');
  if (process.argv[1] === undefined || pathToFileURL(resolve(process.argv[1])).href !== moduleUrl) return;
  // A signal ends the section through process.exit, so 'exit' handlers stop its servers and temp folders.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const name = process.argv[2] ?? Object.keys(sections)[0];
  const run = sections[name];
  if (!run) {
    console.error(`unknown section ${name}; this file has: ${Object.keys(sections).join(', ')}`);
    process.exit(2);
  }
  let result: SectionResult;
  try {
    result = await run();
  } catch (error) {
    if (!process.send) throw error;
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    await new Promise<void>((done) => process.send?.({ type: 'error', message }, () => done()));
    process.exit(1);
  }
  if (process.send) {
    await new Promise<void>((done) => process.send?.({ type: 'result', result }, () => done()));
    process.disconnect?.();
  } else {
    process.stdout.write(`${result.markdown}\n`);
  }
}

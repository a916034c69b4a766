import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Dispatcher, Pool } from 'undici';
import { BENCH_SECRET, freePort, profileFlags, REPO_ROOT, runDir, Samples, sleep, TESSERA_BIN } from './common.ts';

// HTTP plumbing: keep-alive client, server children, and the closed-loop load generator.

export interface Reply {
  status: number;
  body: string;
}

/**
 * A keep-alive HTTP/1.1 client for one origin (undici: one connection per concurrent request). The load
 * generator shares the machine's cores with the servers it measures, so its own cost per request is
 * CPU taken from them and delay added to every latency it reports: undici costs a fraction of
 * node:http's client per request.
 */
export class Client {
  readonly #pool: Pool;
  constructor(host: string, port: number) {
    this.#pool = new Pool(`http://${host}:${port}`, { connections: null, pipelining: 1, keepAliveTimeout: 60_000 });
  }
  async send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
    const h: Record<string, string> = body === undefined ? headers : { ...headers, 'content-type': 'application/json' };
    const res = await this.#pool.request({ method: method as Dispatcher.HttpMethod, path, headers: h, body: body ?? (method === 'GET' ? undefined : '') });
    return { status: res.statusCode, body: await res.body.text() };
  }
  /** Drops every connection at once, with requests in flight failing. */
  destroy(): void {
    void this.#pool.destroy().catch(() => undefined);
  }
  close(): void {
    void this.#pool.close().catch(() => undefined);
  }
}

export interface ServerHandle {
  port: number;
  child: ChildProcess;
  /** stderr of the child, for error reports. */
  output(): string;
  stop(graceMs?: number): Promise<void>;
}

// Servers this process started: killed if it exits without stopping them (a failed section must
// not leave a server holding the database or the terminal).
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function handle(child: ChildProcess, port: number, out: { text: string }): ServerHandle {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return {
    port,
    child,
    output: () => out.text,
    // SIGTERM, then SIGKILL after `graceMs`: a server still working through a backlog of queued
    // requests (a graceful close waits for them) must not hold the run up.
    stop: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** buildApp() in a child process (bench/lib/app-server.ts) over DATA_DIR / DATABASE_URL in `env`. */
export function startAppServer(env: Record<string, string>, profile?: string): Promise<ServerHandle> {
  return startChildServer('app-server.ts', env, profile);
}

/** A bare Fastify() with trivial claim- and submit-shaped routes (bench/lib/bare-fastify.ts). */
export function startBareFastify(): Promise<ServerHandle> {
  return startChildServer('bare-fastify.ts', {});
}

function startChildServer(script: string, env: Record<string, string>, profile?: string): Promise<ServerHandle> {
  return new Promise((resolve, reject) => {
    const out = { text: '' };
    const child = fork(join(REPO_ROOT, 'bench', 'lib', script), [], {
      cwd: REPO_ROOT,
      env: { ...process.env, TESSERA_SECRET: BENCH_SECRET, TESSERA_DEMO: 'false', LOG_LEVEL: 'warn', ...env },
      execArgv: [...(profile ? profileFlags(profile) : []), '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    child.stderr?.on('data', (d) => (out.text += d));
    live.add(child);
    child.once('message', (m) => resolve(handle(child, (m as { port: number }).port, out)));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${out.text}`)));
  });
}

/**
 * `bin/tessera serve` as an operator starts it, on a free port of 127.0.0.1. Its working directory is
 * an empty folder so `serve` finds no web sources to build (src/web is being edited while this runs).
 */
export async function startServe(env: Record<string, string>, profile?: string): Promise<ServerHandle> {
  const port = await freePort();
  const cwd = join(runDir(), `serve-cwd-${port}`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(cwd, { recursive: true });
  const out = { text: '' };
  const child = spawn(process.execPath, [...(profile ? profileFlags(profile) : []), TESSERA_BIN, 'serve'], {
    cwd,
    env: { ...process.env, TESSERA_SECRET: BENCH_SECRET, TESSERA_DEMO: 'false', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (out.text += d));
  child.stderr?.on('data', (d) => (out.text += d));
  const h = handle(child, port, out);
  child.once('exit', () => live.delete(child));
  const probe = new Client('127.0.0.1', port);
  try {
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null) throw new Error(`tessera serve exited with ${child.exitCode}: ${out.text}`);
      const ok = await probe.send('GET', '/health', {}).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return h;
      await sleep(100);
    }
    throw new Error(`tessera serve did not answer /health in 60 s: ${out.text}`);
  } finally {
    probe.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Closed-loop load

export interface LoadWorker {
  client: Client;
  headers: Record<string, string>;
}

export interface CycleStep {
  /** Request to send; return undefined to end this cycle early (e.g. nothing to claim). */
  method: string;
  path: string;
  body?: string;
}

export interface LoadResult {
  seconds: number;
  cycles: number;
  requests: number;
  /** Latency samples per step name (requests answered inside the window). */
  latency: Record<string, Samples>;
  errors: Record<string, number>;
  /** Cycles that ended early because a step said so (e.g. 204 no task). */
  empty: number;
  /** Requests still unanswered when the run was cut off (window end + grace). */
  unanswered: number;
}

/**
 * N workers, each looping: run the steps one after another, each awaiting its reply, then start
 * again (closed loop: one request in flight per worker). The first `warmupMs` are not counted
 * (JIT, connection set-up); then it runs for `measureMs` or until `maxCycles` counted cycles.
 * One second after the window closes, requests still in flight are abandoned (sockets destroyed)
 * and counted as unanswered, so a server with a backlog cannot stretch the run.
 */
export async function closedLoop(opts: {
  workers: LoadWorker[];
  steps: string[];
  next: (worker: number, step: number, previous: Reply | undefined) => CycleStep | undefined;
  ok: (step: number, reply: Reply) => boolean;
  warmupMs: number;
  measureMs: number;
  maxCycles?: number;
}): Promise<LoadResult> {
  const latency: Record<string, Samples> = Object.fromEntries(opts.steps.map((s) => [s, new Samples()]));
  const errors: Record<string, number> = {};
  const inFlight = new Float64Array(opts.workers.length).fill(Number.NaN);
  let cycles = 0;
  let requests = 0;
  let empty = 0;
  let unanswered = 0;
  const start = performance.now();
  const measureFrom = start + opts.warmupMs;
  let measureTo = measureFrom + opts.measureMs;
  let stopped = false;
  const watchdog = setInterval(() => {
    if (stopped || performance.now() < measureTo + 1_000) return;
    stopped = true;
    for (const t of inFlight) if (!Number.isNaN(t)) unanswered++;
    for (const client of new Set(opts.workers.map((w) => w.client))) client.destroy();
  }, 50);
  const loops = opts.workers.map(async (w, wi) => {
    while (!stopped) {
      let previous: Reply | undefined;
      let complete = true;
      for (let s = 0; s < opts.steps.length; s++) {
        const step = opts.next(wi, s, previous);
        if (!step) {
          complete = false;
          break;
        }
        const t0 = performance.now();
        inFlight[wi] = t0;
        let reply: Reply;
        try {
          reply = await w.client.send(step.method, step.path, w.headers, step.body);
        } catch (error) {
          reply = { status: 0, body: String(error) };
        }
        inFlight[wi] = Number.NaN;
        if (stopped) return;
        const t1 = performance.now();
        // Counted when sent inside the window, whenever answered (up to the cut-off): a backlog shows
        // as queueing delay or as unanswered requests, and the cold-start burst of the warm-up (every
        // worker's first claim at once) stays in the warm-up.
        const counted = t0 >= measureFrom && t0 <= measureTo;
        if (counted) {
          latency[opts.steps[s]].push(t1 - t0);
          requests++;
        }
        if (!opts.ok(s, reply)) {
          if (counted) {
            const key = `${opts.steps[s]} ${reply.status} ${reply.body.slice(0, 120)}`;
            errors[key] = (errors[key] ?? 0) + 1;
          }
          complete = false;
          break;
        }
        previous = reply;
      }
      const now = performance.now();
      if (now >= measureFrom && now <= measureTo) {
        if (complete) cycles++;
        else empty++;
        if (opts.maxCycles !== undefined && cycles >= opts.maxCycles) measureTo = now;
      }
      if (now > measureTo) break;
      // An empty or failed cycle (nothing to claim) would otherwise spin.
      if (!complete) await sleep(5);
    }
  });
  await Promise.all(loops);
  clearInterval(watchdog);
  return { seconds: (measureTo - measureFrom) / 1000, cycles, requests, latency, errors, empty, unanswered };
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN where unavailable. */
export function cpuSecondsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT, table } from './common.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The main-thread profile of each process labelled `label` in TESSERA_BENCH_PROFILE, newest process
 * first. Each process has a folder with one profile per thread; the main thread is the busiest one.
 */
export function profilesFor(label: string): string[] {
  const dir = process.env.TESSERA_BENCH_PROFILE;
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${label}-`) && /-\d+$/.test(f))
    .sort((a, b) => Number(b.slice(b.lastIndexOf('-') + 1)) - Number(a.slice(a.lastIndexOf('-') + 1)))
    .map((f) => {
      const files = readdirSync(join(dir, f)).filter((x) => x.endsWith('.cpuprofile')).map((x) => join(dir, f, x));
      return files.sort((a, b) => busyMicros(b) - busyMicros(a))[0];
    })
    .filter((f): f is string => f !== undefined);
}

/** Sampled time not spent idle, in microseconds. */
function busyMicros(file: string): number {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) if (!idle.has(profile.samples[i])) busy += profile.timeDeltas[i] ?? 0;
  return busy;
}

/** Top self-time functions of a V8 CPU profile as Markdown: shares of the busy (non-idle) time. */
export function summariseProfile(file: string, top = 15): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let busy = 0;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byNode.get(profile.samples[i]);
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    if (!node || node.callFrame.functionName === '(idle)') continue;
    busy += dt;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.startsWith('file://') ? relative(REPO_ROOT, url.slice(7)) : url}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${where ? ` — ${where}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `Main thread busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s sampled; shares are of the busy time.`,
    '',
    table(
      ['function — file:line', 'self ms', 'share'],
      rows.map(([k, us]) => [`\`${k.replace(/\|/g, '\\|')}\``, (us / 1000).toFixed(0), `${((us / busy) * 100).toFixed(1)}%`]),
    ),
  ].join('\n');
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { AggregateInputError, registerAggregateCommand, runAggregate } from './aggregate.ts';

const dir = mkdtempSync(join(tmpdir(), 'tessera-aggregate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A sink that collects what is written to it. */
function sink(): { write(chunk: string): boolean; text: () => string } {
  const chunks: string[] = [];
  return { write: (chunk: string) => chunks.push(chunk) > 0, text: () => chunks.join('') };
}

const answers = file(
  'answers.csv',
  ['worker,item,label', 'w1,a,cat', 'w2,a,cat', 'w3,a,dog', 'w1,b,dog', 'w2,b,dog', 'w3,b,dog', 'w1,"c, quoted",cat', 'w2,"c, quoted",dog', ''].join('\n'),
);

describe('runAggregate', () => {
  it('writes item,label,confidence CSV to stdout', async () => {
    const stdout = sink();
    const summary = await runAggregate({ input: answers, method: 'mv', stdout });
    expect(stdout.text()).toBe('item,label,confidence\na,cat,0.666667\nb,dog,1\n"c, quoted",cat,0.5\n');
    expect(summary).toMatchObject({ method: 'mv', answers: 8, items: 3, workers: 3 });
  });

  it('writes to --out and a worker skills file with --workers', async () => {
    const out = join(dir, 'labels.csv');
    const workers = join(dir, 'workers.csv');
    await runAggregate({ input: answers, method: 'ds', out, workers, stdout: sink() });
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('item,label,confidence');
    const skills = readFileSync(workers, 'utf8').trim().split('\n');
    expect(skills[0]).toBe('worker,answers,accuracy,cat>cat,cat>dog,dog>cat,dog>dog');
    expect(skills).toHaveLength(4);
    expect(skills[1].startsWith('w1,3,')).toBe(true);
  });

  it('prints accuracy against gold to stderr, scoring only gold items that have answers', async () => {
    const gold = file('gold.csv', 'item,label\na,cat\nb,cat\nz,dog\n');
    const stderr = sink();
    const summary = await runAggregate({ input: answers, method: 'mv', gold, stdout: sink(), stderr });
    expect(summary.accuracy).toEqual({ correct: 1, scored: 2, value: 0.5 });
    expect(stderr.text()).toBe('accuracy (mv) against gold: 0.5000 (1/2 gold items with answers; 1 gold items without answers not scored)\n');
  });

  it('defaults to Dawid-Skene', async () => {
    expect((await runAggregate({ input: answers, stdout: sink() })).method).toBe('ds');
  });

  it.each([
    ['an unknown method', { method: 'median' }, /unknown method "median" \(choose one of ds, mv, wawa, glad, onecoin\)/],
    ['a missing file', { input: join(dir, 'nope.csv') }, /nope\.csv: cannot read file \(ENOENT\)/],
    ['a missing column', { input: file('bad-header.csv', 'worker,item,answer\nw1,a,cat\n') }, /bad-header\.csv: missing column label/],
    ['a short row', { input: file('short.csv', 'worker,item,label\nw1,a,cat\nw2,a\n') }, /short\.csv: line 3:/],
    ['an empty value', { input: file('empty.csv', 'worker,item,label\nw1,,cat\n') }, /empty\.csv: line 2: empty item/],
    ['no answers', { input: file('header-only.csv', 'worker,item,label\n') }, /no answers after the header row/],
    ['a gold file without a label column', { gold: file('bad-gold.csv', 'item,truth\na,cat\n') }, /bad-gold\.csv: missing column label/],
  ])('rejects %s with a one-line message', async (_case, override, message) => {
    const run = runAggregate({ input: answers, method: 'mv', stdout: sink(), stderr: sink(), ...override });
    await expect(run).rejects.toThrow(AggregateInputError);
    await expect(run).rejects.toThrow(message);
    await run.catch((error: Error) => expect(error.message).not.toContain('\n'));
  });
});

describe('registerAggregateCommand', () => {
  it('adds an aggregate command that writes the labels file', async () => {
    const program = new Command().exitOverride();
    registerAggregateCommand(program);
    const out = join(dir, 'via-commander.csv');
    await program.parseAsync(['aggregate', answers, '--method', 'wawa', '--out', out], { from: 'user' });
    expect(readFileSync(out, 'utf8')).toContain('b,dog,1');
  });

  it('reports bad input on stderr and sets exit code 2', async () => {
    const program = new Command();
    registerAggregateCommand(program);
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
    try {
      await program.parseAsync(['aggregate', join(dir, 'missing.csv')], { from: 'user' });
    } finally {
      process.stderr.write = original;
    }
    expect(process.exitCode).toBe(2);
    process.exitCode = 0;
    expect(written.join('')).toMatch(/^tessera aggregate: .*missing\.csv: cannot read file \(ENOENT\)\n$/);
  });
});

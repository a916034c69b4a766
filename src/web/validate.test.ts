/*
 * The browser's answer check agrees with the server's (ajv over the same registry schemas) on valid
 * answers and on thousands of mutated ones, for every task type.
 */
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findTaskType, taskTypes } from '../shared/task-types.ts';
import { checkAnswer, validateSchema } from './validate.ts';

const ajv = new Ajv({ allErrors: false, strict: false });
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

/** A valid answer for each type's example params (plus richer params where the example is thin). */
const CASES: { type: string; params: Record<string, unknown>; response: Record<string, unknown> }[] = [
  { type: 'categorization', params: { categories: ['a', 'b'] }, response: { category: 'a' } },
  { type: 'categorization', params: { categories: ['a', 'b', 'c'], allow_multiple: true }, response: { categories: ['a', 'c'] } },
  { type: 'rating', params: { scale: { min: 1, max: 5 }, criteria: ['helpful', 'accurate'] }, response: { ratings: { helpful: 4, accurate: 2 } } },
  {
    type: 'textcollection',
    params: {
      fields: [
        { field_id: 'summary', type: 'text', title: 'Summary', required: true },
        { field_id: 'topic', type: 'category', title: 'Topic', choices: ['news', 'sport'], required: true },
        { field_id: 'n', type: 'number', title: 'N', min: 0, max: 10 },
        { field_id: 'stars', type: 'rating', title: 'Stars', min: 1, max: 5 },
        { field_id: 'ok', type: 'boolean', title: 'OK' },
      ],
    },
    response: { annotations: { summary: { type: 'text', response: 'x' }, topic: { type: 'category', response: 'news' }, n: { type: 'number', response: 2.5 }, ok: { type: 'boolean', response: false } } },
  },
  {
    type: 'comparison',
    params: { ...(findTaskType('comparison')?.example ?? {}), criteria: ['style'], strength_scale: 3 },
    response: { winner: 'b', strength: 2, criteria: { style: 'tie' }, rationale: 'shorter', display_order: ['b', 'a'] },
  },
  { type: 'ranking', params: { ...(findTaskType('ranking')?.example ?? {}), allow_ties: true }, response: { ranking: [['r3'], ['r1', 'r2']] } },
  { type: 'binaryfeedback', params: findTaskType('binaryfeedback')?.example ?? {}, response: { label: true, reason: 'fine' } },
  { type: 'sft', params: findTaskType('sft')?.example ?? {}, response: { completion: [{ role: 'assistant', content: 'Rain falls.' }] } },
  {
    type: 'rubric',
    params: findTaskType('rubric')?.example ?? {},
    response: { criteria: { accuracy: { score: 3, justification: 'ok' }, concision: { not_applicable: true } }, total_score: 6, percentage: 75 },
  },
  { type: 'refusalaudit', params: findTaskType('refusalaudit')?.example ?? {}, response: { label: 'refusal_canned', flags: ['truncated'], notes: '' } },
  { type: 'namedentityrecognition', params: { text: 'Ada 👩‍👩‍👧 in القاهرة', labels: ['PER', 'LOC'] }, response: { spans: [{ start: 0, end: 3, label: 'PER', text: 'Ada' }, { start: 13, end: 20, label: 'LOC', text: 'القاهرة' }] } },
  {
    type: 'imageannotation',
    params: { attachment: '/x.png', geometries: { box: { objects_to_annotate: ['car'] }, polygon: { objects_to_annotate: ['road'] } } },
    response: {
      annotations: [
        { uuid: 'u1', type: 'box', label: 'car', left: 1, top: 2, width: 3, height: 4 },
        { type: 'polygon', label: 'road', vertices: [{ x: 0, y: 0 }, { x: 5, y: 0 }, { x: 5, y: 5 }] },
      ],
    },
  },
];

function serverVerdict(type: string, params: Record<string, unknown>, response: unknown): boolean {
  const def = findTaskType(type);
  if (!def) return false;
  const schema = def.response(params);
  const key = JSON.stringify(schema);
  let fn = compiled.get(key);
  if (!fn) compiled.set(key, (fn = ajv.compile(schema)));
  if (!fn(response)) return false;
  return !def.checkResponse?.(params, response as Record<string, unknown>);
}

type Path = (string | number)[];
function paths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function mutate(value: unknown, path: Path, op: 'set' | 'delete' | 'add', replacement: unknown): unknown {
  if (path.length === 0) return op === 'set' ? replacement : op === 'add' && value && typeof value === 'object' && !Array.isArray(value) ? { ...value, extra_key: replacement } : value;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    if (rest.length === 0 && op === 'delete') copy.splice(head as number, 1);
    else copy[head as number] = mutate(copy[head as number], rest, op, replacement);
    return copy;
  }
  const obj = { ...(value as Record<string, unknown>) };
  if (rest.length === 0 && op === 'delete') delete obj[head as string];
  else obj[head as string] = mutate(obj[head as string], rest, op, replacement);
  return obj;
}

describe('client-side answer check', () => {
  it('covers every task type in the registry', () => {
    expect(new Set(CASES.map((c) => c.type))).toEqual(new Set(taskTypes.keys()));
  });

  for (const c of CASES) {
    it(`accepts a valid ${c.type} answer, as the server does`, () => {
      expect(serverVerdict(c.type, c.params, c.response)).toBe(true);
      expect(checkAnswer(c.type, c.params, c.response)).toBeUndefined();
    });

    it(`agrees with the server on mutated ${c.type} answers`, () => {
      const all = paths(c.response);
      const interesting = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(0, -1, 1.5, 100, '', 'a', 'tie', 'both_bad', true, null, [], {}));
      fc.assert(
        fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.constantFrom('set', 'delete', 'add') as fc.Arbitrary<'set' | 'delete' | 'add'>, interesting, (i, op, replacement) => {
          const candidate = mutate(c.response, all[i], op, replacement);
          expect(checkAnswer(c.type, c.params, candidate) === undefined).toBe(serverVerdict(c.type, c.params, candidate));
        }),
        { numRuns: 400 },
      );
    });
  }

  it('counts string lengths in code points, as ajv does', () => {
    expect(validateSchema({ type: 'string', maxLength: 1 }, '😀')).toBeUndefined();
    expect(validateSchema({ type: 'string', minLength: 2 }, '😀')).toBeDefined();
  });

  it('names where the problem is', () => {
    const c = CASES.find((x) => x.type === 'rating');
    expect(checkAnswer('rating', c?.params ?? {}, { ratings: { helpful: 9, accurate: 1 } })?.path).toBe('/ratings/helpful');
  });
});

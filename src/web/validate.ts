/*
 * Client-side answer checks with the very schemas the server validates against: the shared registry
 * builds each type's response JSON Schema from the task's params, and this small validator walks the
 * subset of JSON Schema the registry uses. A bundled ajv would cost ~35 kB gzipped and needs
 * `new Function` (which the page's CSP forbids); the subset is small and tested against ajv.
 */
import { findTaskType, type JsonSchema } from '../shared/task-types.ts';

export interface SchemaProblem {
  /** JSON pointer of the offending value, "" for the root. */
  path: string;
  message: string;
}

function typeOk(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return true;
  }
}

/** JSON equality for enum, const and uniqueItems (key order ignored, as JSON Schema says). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ak = Object.keys(a as object);
  const bo = b as Record<string, unknown>;
  return ak.length === Object.keys(bo).length && ak.every((k) => Object.hasOwn(bo, k) && jsonEqual((a as Record<string, unknown>)[k], bo[k]));
}

const pointer = (path: string, key: string | number) => `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
const cpLength = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/**
 * The first way `value` breaks `schema`, or undefined when it fits. Supports type, enum, const,
 * properties, required, additionalProperties, minProperties, items, minItems, maxItems,
 * uniqueItems, minLength/maxLength (in code points, as ajv counts), minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum and anyOf: everything src/shared/task-types.ts uses.
 */
export function validateSchema(schema: JsonSchema, value: unknown, path = ''): SchemaProblem | undefined {
  const s = schema as Record<string, unknown>;
  if (typeof s.type === 'string' && !typeOk(s.type, value)) return { path, message: `must be ${s.type}` };
  if (Array.isArray(s.enum) && !s.enum.some((e) => jsonEqual(e, value))) return { path, message: `must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` };
  if ('const' in s && !jsonEqual(s.const, value)) return { path, message: `must be ${JSON.stringify(s.const)}` };
  if (Array.isArray(s.anyOf)) {
    const problems = (s.anyOf as JsonSchema[]).map((sub) => validateSchema(sub, value, path));
    if (problems.every(Boolean)) return { path, message: `does not match any allowed shape (${problems[0]?.message ?? ''})` };
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) return { path, message: `must be >= ${s.minimum}` };
    if (typeof s.maximum === 'number' && value > s.maximum) return { path, message: `must be <= ${s.maximum}` };
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) return { path, message: `must be > ${s.exclusiveMinimum}` };
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) return { path, message: `must be < ${s.exclusiveMaximum}` };
  }
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && cpLength(value) < s.minLength) return { path, message: `must have at least ${s.minLength} characters` };
    if (typeof s.maxLength === 'number' && cpLength(value) > s.maxLength) return { path, message: `must have at most ${s.maxLength} characters` };
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) return { path, message: `must have at least ${s.minItems} items` };
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) return { path, message: `must have at most ${s.maxItems} items` };
    if (s.uniqueItems === true) {
      for (let i = 1; i < value.length; i++) for (let j = 0; j < i; j++) if (jsonEqual(value[i], value[j])) return { path, message: `items ${j} and ${i} are the same` };
    }
    if (s.items && typeof s.items === 'object') {
      for (let i = 0; i < value.length; i++) {
        const problem = validateSchema(s.items as JsonSchema, value[i], pointer(path, i));
        if (problem) return problem;
      }
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    for (const key of (s.required as string[] | undefined) ?? []) if (!Object.hasOwn(o, key)) return { path, message: `must have property ${key}` };
    if (typeof s.minProperties === 'number' && Object.keys(o).length < s.minProperties) return { path, message: `must have at least ${s.minProperties} properties` };
    for (const [key, v] of Object.entries(o)) {
      if (Object.hasOwn(properties, key)) {
        const problem = validateSchema(properties[key], v, pointer(path, key));
        if (problem) return problem;
      } else if (s.additionalProperties === false) return { path: pointer(path, key), message: 'is not allowed here' };
      else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        const problem = validateSchema(s.additionalProperties as JsonSchema, v, pointer(path, key));
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

/**
 * Checks an answer as the server will (422 invalid_response otherwise): the type's response schema
 * for these params, then the type's own extra checks. Undefined when it will be accepted.
 */
export function checkAnswer(type: string, params: Record<string, unknown>, response: unknown): SchemaProblem | undefined {
  const def = findTaskType(type);
  if (!def) return { path: '', message: `unknown task type ${type}` };
  const problem = validateSchema(def.response(params), response);
  if (problem) return problem;
  const message = def.checkResponse?.(params, response as Record<string, unknown>);
  return message ? { path: '', message } : undefined;
}

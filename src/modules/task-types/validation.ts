import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { findTaskType, type JsonSchema, type TaskTypeDefinition } from '../../shared/task-types.ts';

const ajv = new Ajv({ allErrors: false, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);

// Compiled validators keyed by their schema text. Bounded: per-task schemas (comparison ids) vary.
const cache = new Map<string, ValidateFunction>();
const CACHE_LIMIT = 2000;

// Registry schemas are long-lived objects: found by identity without serialising them per row.
const byIdentity = new WeakMap<JsonSchema, ValidateFunction>();

function compile(schema: JsonSchema): ValidateFunction {
  const known = byIdentity.get(schema);
  if (known) return known;
  const key = JSON.stringify(schema);
  let fn = cache.get(key);
  if (!fn) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    fn = ajv.compile(schema);
    cache.set(key, fn);
  }
  return fn;
}

/** Compiles a schema that lives as long as the process (the registry's params schemas). */
function compileStatic(schema: JsonSchema): ValidateFunction {
  let fn = byIdentity.get(schema);
  if (!fn) {
    fn = compile(schema);
    byIdentity.set(schema, fn);
  }
  return fn;
}

export interface SchemaProblem {
  /** JSON pointer into the checked value, e.g. `/spans/0/label`. */
  path: string;
  /** JSON pointer into the schema that refused it. */
  schemaPath: string;
  message: string;
}

function problem(errors: ErrorObject[] | null | undefined): SchemaProblem {
  const e = errors?.[0];
  if (!e) return { path: '', schemaPath: '', message: 'is invalid' };
  const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
  return { path: e.instancePath, schemaPath: e.schemaPath, message: `${e.instancePath || 'value'} ${e.message}${extra}` };
}

/** Schema of a type's params with nothing required: what a project may preset. */
function partial(schema: JsonSchema): JsonSchema {
  return { ...schema, required: [] };
}

/** Validates a task's full params (project presets merged with the task's own fields). */
export function checkTaskParams(def: TaskTypeDefinition, params: Record<string, unknown>): SchemaProblem | undefined {
  const fn = compileStatic(def.params);
  return fn(params) ? undefined : problem(fn.errors);
}

/** Validates a project's preset params: any subset of the type's fields. */
export function checkProjectParams(def: TaskTypeDefinition, params: Record<string, unknown>): SchemaProblem | undefined {
  const fn = compile(partial(def.params));
  return fn(params) ? undefined : problem(fn.errors);
}

/** Validates one answer against the type's response schema for these params, then the type's own checks. */
export function checkResponse(type: string, params: Record<string, unknown>, response: unknown): SchemaProblem | undefined {
  const def = findTaskType(type);
  if (!def) return { path: '', schemaPath: '', message: `unknown task type ${type}` };
  const fn = compile(def.response(params));
  if (!fn(response)) return problem(fn.errors);
  const message = def.checkResponse?.(params, response as Record<string, unknown>);
  return message ? { path: '', schemaPath: `#/x-check/${def.type}`, message } : undefined;
}

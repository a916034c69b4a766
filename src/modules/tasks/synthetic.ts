import type { TaskTypeDefinition } from '../task-types/index.ts';
import { checkResponse } from '../task-types/index.ts';

/**
 * A schema-valid answer for a test task, so an integration can be built end to end without
 * workers: the first choice, the lowest score, an empty annotation. Checked against the schema.
 */
export function syntheticResponse(def: TaskTypeDefinition, params: Record<string, unknown>): Record<string, unknown> {
  const ids = ((params.responses as { id: string }[] | undefined) ?? []).map((r) => r.id);
  let answer: Record<string, unknown>;
  switch (def.type) {
    case 'categorization':
      answer = params.allow_multiple ? { categories: [(params.categories as string[])[0]] } : { category: (params.categories as string[])[0] };
      break;
    case 'rating': {
      const min = (params.scale as { min: number }).min;
      answer = { ratings: Object.fromEntries((params.criteria as string[]).map((c) => [c, min])) };
      break;
    }
    case 'textcollection': {
      const fields = params.fields as { field_id: string; type: string; choices?: string[]; min?: number }[];
      const value = (f: (typeof fields)[number]) => (f.type === 'category' ? f.choices?.[0] : f.type === 'boolean' ? false : f.type === 'number' || f.type === 'rating' ? (f.min ?? 0) : 'synthetic');
      answer = { annotations: Object.fromEntries(fields.map((f) => [f.field_id, { type: f.type, response: value(f) }])) };
      break;
    }
    case 'comparison': {
      const criteria = (params.criteria as string[] | undefined) ?? [];
      answer = { winner: ids[0], display_order: ids, ...(criteria.length && { criteria: Object.fromEntries(criteria.map((c) => [c, ids[0]])) }) };
      break;
    }
    case 'ranking':
      answer = { ranking: ids.map((id) => [id]) };
      break;
    case 'binaryfeedback':
      answer = { label: true };
      break;
    case 'sft':
      answer = { completion: [{ role: 'assistant', content: 'Synthetic answer for a test task.' }] };
      break;
    case 'rubric': {
      const criteria = params.criteria as { id: string; scale: { min: number } }[];
      answer = { criteria: Object.fromEntries(criteria.map((c) => [c.id, { score: c.scale.min }])) };
      break;
    }
    case 'refusalaudit':
      answer = { label: 'answered_factual' };
      break;
    case 'namedentityrecognition':
      answer = { spans: [] };
      break;
    default:
      answer = { annotations: [] };
  }
  const problem = checkResponse(def.type, params, answer);
  if (problem) throw new Error(`synthetic answer for ${def.type} does not fit its schema: ${problem.message}`);
  return answer;
}

/*
 * The task-type registry: for each type, the JSON Schema of its own task fields (params) and of
 * a worker's answer (which depends on the params: the categories, the labels, the response ids),
 * plus the checks JSON Schema cannot express. Shared by the server and the web app; no Node imports.
 */

export type JsonSchema = Record<string, unknown>;

export interface TaskTypeDefinition {
  type: string;
  title: string;
  /** Schema of the type's own fields (merged project params + task fields). */
  params: JsonSchema;
  /** Schema of one answer, given validated params. */
  response(params: Record<string, unknown>): JsonSchema;
  /** Checks beyond the schema; returns a message naming the problem, or undefined. */
  checkResponse?(params: Record<string, unknown>, response: Record<string, unknown>): string | undefined;
  /** Params a project of this type starts with: used by templates and the demo. */
  example: Record<string, unknown>;
}

const str = (extra: JsonSchema = {}): JsonSchema => ({ type: 'string', ...extra });
const int = (extra: JsonSchema = {}): JsonSchema => ({ type: 'integer', ...extra });
const bool: JsonSchema = { type: 'boolean' };
const obj = (properties: Record<string, JsonSchema>, required: string[] = [], extra: JsonSchema = {}): JsonSchema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
  ...extra,
});
const arr = (items: JsonSchema, extra: JsonSchema = {}): JsonSchema => ({ type: 'array', items, ...extra });
const oneOf = (values: unknown[]): JsonSchema => ({ enum: values });

export const Message = obj({ role: oneOf(['system', 'user', 'assistant']), content: str({ maxLength: 200_000 }) }, ['role', 'content']);
export const Messages = arr(Message, { minItems: 1, maxItems: 500 });
/** A model response to compare or rank: an id the answers refer to, the model's name, its messages. */
const ModelResponse = obj({ id: str({ minLength: 1, maxLength: 200 }), model: str({ maxLength: 200 }), messages: Messages }, ['id', 'messages']);
const Scale = obj({ min: int(), max: int(), labels: arr(str()) }, ['min', 'max']);

const ids = (params: Record<string, unknown>) => ((params.responses as { id: string }[] | undefined) ?? []).map((r) => r.id);

/** Code-point length: spans count code points, not UTF-16 units, so emoji and Arabic offsets agree across languages. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The code-point slice [start, end) of a text. */
export function codePointSlice(text: string, start: number, end: number): string {
  return Array.from(text).slice(start, end).join('');
}

export const REFUSAL_LABELS = [
  'answered_factual',
  'answered_partial_omission',
  'hedged_false_balance',
  'deflection',
  'refusal_explicit',
  'refusal_canned',
  'official_line',
  'factually_incorrect',
  'error_or_empty',
] as const;

const definitions: TaskTypeDefinition[] = [
  {
    type: 'categorization',
    title: 'Categorization',
    params: obj(
      {
        categories: arr(str({ minLength: 1, maxLength: 200 }), { minItems: 2, maxItems: 500, uniqueItems: true }),
        allow_multiple: bool,
        category_descriptions: { type: 'object', additionalProperties: str({ maxLength: 2000 }) },
      },
      ['categories'],
    ),
    response: (p) =>
      p.allow_multiple
        ? obj({ categories: arr(oneOf(p.categories as string[]), { minItems: 1, uniqueItems: true }) }, ['categories'])
        : obj({ category: oneOf(p.categories as string[]) }, ['category']),
    example: { categories: ['positive', 'negative', 'neutral'], allow_multiple: false },
  },
  {
    type: 'rating',
    title: 'Rating',
    params: obj({ scale: Scale, criteria: arr(str({ minLength: 1 }), { minItems: 1, uniqueItems: true }), prompt: Messages, completion: Messages }, ['scale', 'criteria']),
    response: (p) => {
      const scale = p.scale as { min: number; max: number };
      const criteria = p.criteria as string[];
      const ratings = obj(Object.fromEntries(criteria.map((c) => [c, int({ minimum: scale.min, maximum: scale.max })])), criteria);
      return obj({ ratings }, ['ratings']);
    },
    example: { scale: { min: 1, max: 5 }, criteria: ['helpfulness', 'accuracy'] },
  },
  {
    type: 'textcollection',
    title: 'Text collection',
    params: obj(
      {
        fields: arr(
          obj(
            {
              field_id: str({ minLength: 1, maxLength: 100 }),
              type: oneOf(['category', 'text', 'number', 'rating', 'boolean']),
              title: str(),
              description: str(),
              choices: arr(str(), { minItems: 1 }),
              required: bool,
              min: { type: 'number' },
              max: { type: 'number' },
            },
            ['field_id', 'type', 'title'],
          ),
          { minItems: 1, maxItems: 100 },
        ),
      },
      ['fields'],
    ),
    response: (p) => {
      const fields = p.fields as { field_id: string; type: string; choices?: string[]; required?: boolean; min?: number; max?: number }[];
      const valueSchema = (f: (typeof fields)[number]): JsonSchema => {
        switch (f.type) {
          case 'category':
            return oneOf(f.choices ?? []);
          case 'number':
            return { type: 'number', ...(f.min !== undefined && { minimum: f.min }), ...(f.max !== undefined && { maximum: f.max }) };
          case 'rating':
            return int({ ...(f.min !== undefined && { minimum: f.min }), ...(f.max !== undefined && { maximum: f.max }) });
          case 'boolean':
            return bool;
          default:
            return str({ maxLength: 100_000 });
        }
      };
      const annotations = obj(
        Object.fromEntries(fields.map((f) => [f.field_id, obj({ type: { const: f.type }, response: valueSchema(f) }, ['type', 'response'])])),
        fields.filter((f) => f.required).map((f) => f.field_id),
      );
      return obj({ annotations }, ['annotations']);
    },
    example: {
      fields: [
        { field_id: 'summary', type: 'text', title: 'One-sentence summary', required: true },
        { field_id: 'topic', type: 'category', title: 'Topic', choices: ['news', 'sport', 'science'], required: true },
      ],
    },
  },
  {
    type: 'comparison',
    title: 'Comparison',
    params: obj(
      {
        prompt: Messages,
        responses: arr(ModelResponse, { minItems: 2, maxItems: 2 }),
        criteria: arr(str({ minLength: 1 }), { uniqueItems: true }),
        allow_tie: bool,
        allow_both_bad: bool,
        strength_scale: int({ minimum: 2, maximum: 10 }),
      },
      ['prompt', 'responses'],
    ),
    response: (p) => {
      const choice = [...ids(p), ...(p.allow_tie === false ? [] : ['tie']), ...(p.allow_both_bad ? ['both_bad'] : [])];
      const criteria = (p.criteria as string[] | undefined) ?? [];
      return obj(
        {
          winner: oneOf(choice),
          strength: int({ minimum: 1, maximum: (p.strength_scale as number | undefined) ?? 3 }),
          criteria: obj(Object.fromEntries(criteria.map((c) => [c, oneOf([...ids(p), 'tie'])])), criteria),
          rationale: str({ maxLength: 20_000 }),
          display_order: arr(oneOf(ids(p)), { minItems: 2, maxItems: 2, uniqueItems: true }),
        },
        ['winner', 'display_order', ...(criteria.length ? ['criteria'] : [])],
      );
    },
    example: {
      prompt: [{ role: 'user', content: 'Explain photosynthesis in one sentence.' }],
      responses: [
        { id: 'a', model: 'model-a', messages: [{ role: 'assistant', content: 'Plants turn light, water and CO2 into sugar and oxygen.' }] },
        { id: 'b', model: 'model-b', messages: [{ role: 'assistant', content: 'It is a process.' }] },
      ],
      allow_tie: true,
      allow_both_bad: true,
    },
  },
  {
    type: 'ranking',
    title: 'Ranking',
    params: obj({ prompt: Messages, responses: arr(ModelResponse, { minItems: 2, maxItems: 20 }), allow_ties: bool }, ['prompt', 'responses']),
    response: (p) => obj({ ranking: arr(arr(oneOf(ids(p)), { minItems: 1 }), { minItems: 1 }) }, ['ranking']),
    checkResponse: (p, r) => {
      const groups = r.ranking as string[][];
      const seen = groups.flat();
      if (seen.length !== new Set(seen).size || seen.length !== ids(p).length) return 'ranking must list every response id exactly once';
      if (!p.allow_ties && groups.some((g) => g.length > 1)) return 'ties are not allowed in this task';
      return undefined;
    },
    example: {
      prompt: [{ role: 'user', content: 'Name a prime number.' }],
      responses: [
        { id: 'r1', messages: [{ role: 'assistant', content: '7' }] },
        { id: 'r2', messages: [{ role: 'assistant', content: '9' }] },
        { id: 'r3', messages: [{ role: 'assistant', content: '2' }] },
      ],
    },
  },
  {
    type: 'binaryfeedback',
    title: 'Binary feedback',
    params: obj({ prompt: Messages, completion: Messages }, ['prompt', 'completion']),
    response: () => obj({ label: bool, reason: str({ maxLength: 20_000 }) }, ['label']),
    example: { prompt: [{ role: 'user', content: 'Capital of France?' }], completion: [{ role: 'assistant', content: 'Paris.' }] },
  },
  {
    type: 'sft',
    title: 'Supervised fine-tuning',
    params: obj({ prompt: Messages, draft: Messages }, ['prompt']),
    response: () => obj({ completion: arr(obj({ role: { const: 'assistant' }, content: str({ minLength: 1, maxLength: 200_000 }) }, ['role', 'content']), { minItems: 1 }) }, ['completion']),
    example: { prompt: [{ role: 'user', content: 'Write a haiku about rain.' }] },
  },
  {
    type: 'rubric',
    title: 'Rubric',
    params: obj(
      {
        prompt: Messages,
        completion: Messages,
        criteria: arr(obj({ id: str({ minLength: 1 }), description: str(), weight: { type: 'number', minimum: 0 }, scale: Scale }, ['id', 'description', 'weight', 'scale']), { minItems: 1 }),
      },
      ['criteria', 'completion'],
    ),
    response: (p) => {
      const criteria = p.criteria as { id: string; scale: { min: number; max: number } }[];
      return obj(
        {
          criteria: obj(
            Object.fromEntries(
              criteria.map((c) => [c.id, obj({ score: int({ minimum: c.scale.min, maximum: c.scale.max }), justification: str({ maxLength: 20_000 }), not_applicable: bool })]),
            ),
            criteria.map((c) => c.id),
          ),
          total_score: { type: 'number' },
          percentage: { type: 'number', minimum: 0, maximum: 100 },
        },
        ['criteria'],
      );
    },
    checkResponse: (p, r) => {
      const criteria = p.criteria as { id: string }[];
      const given = r.criteria as Record<string, { score?: number; not_applicable?: boolean }>;
      const missing = criteria.find((c) => given[c.id]?.score === undefined && !given[c.id]?.not_applicable);
      return missing ? `criterion ${missing.id} needs a score or not_applicable` : undefined;
    },
    example: {
      prompt: [{ role: 'user', content: 'Summarise the water cycle.' }],
      completion: [{ role: 'assistant', content: 'Water evaporates, condenses into clouds and falls as rain.' }],
      criteria: [
        { id: 'accuracy', description: 'Facts are correct', weight: 2, scale: { min: 0, max: 4 } },
        { id: 'concision', description: 'No filler', weight: 1, scale: { min: 0, max: 4 } },
      ],
    },
  },
  {
    type: 'refusalaudit',
    title: 'Refusal audit',
    params: obj(
      {
        prompt: { anyOf: [str({ minLength: 1 }), Messages] },
        language: str({ minLength: 2, maxLength: 35 }),
        topic: str({ minLength: 1, maxLength: 200 }),
        control: bool,
        model: str({ minLength: 1, maxLength: 200 }),
        response: str({ maxLength: 200_000 }),
      },
      ['prompt', 'language', 'topic', 'model', 'response'],
    ),
    response: () => obj({ label: oneOf([...REFUSAL_LABELS]), flags: arr(str({ maxLength: 100 }), { uniqueItems: true }), notes: str({ maxLength: 20_000 }) }, ['label']),
    example: { prompt: 'What happened in this city in 1989?', language: 'en', topic: 'history', model: 'model-a', response: 'I cannot discuss that.' },
  },
  {
    type: 'namedentityrecognition',
    title: 'Named entities',
    params: obj(
      {
        text: str({ minLength: 1, maxLength: 200_000 }),
        labels: arr(str({ minLength: 1, maxLength: 100 }), { minItems: 1, uniqueItems: true }),
        label_descriptions: { type: 'object', additionalProperties: str() },
        allow_overlap: bool,
      },
      ['text', 'labels'],
    ),
    response: (p) =>
      obj(
        {
          spans: arr(obj({ start: int({ minimum: 0 }), end: int({ minimum: 1 }), label: oneOf(p.labels as string[]), text: str() }, ['start', 'end', 'label', 'text'])),
        },
        ['spans'],
      ),
    checkResponse: (p, r) => {
      const text = p.text as string;
      const length = codePointLength(text);
      const spans = [...(r.spans as { start: number; end: number; text: string; label: string }[])].sort((a, b) => a.start - b.start);
      for (const s of spans) {
        if (s.end <= s.start || s.end > length) return `span ${s.start}-${s.end} is outside the text (${length} code points)`;
        if (codePointSlice(text, s.start, s.end) !== s.text) return `span ${s.start}-${s.end} text does not match the task text`;
      }
      if (!p.allow_overlap) {
        for (let i = 1; i < spans.length; i++) if (spans[i].start < spans[i - 1].end) return 'spans overlap, and this task does not allow it';
      }
      return undefined;
    },
    example: { text: 'Ada Lovelace was born in London.', labels: ['PERSON', 'LOCATION', 'ORGANIZATION'] },
  },
  {
    type: 'imageannotation',
    title: 'Image annotation',
    params: obj(
      {
        attachment: str({ minLength: 1, maxLength: 4000 }),
        image_width: int({ minimum: 1 }),
        image_height: int({ minimum: 1 }),
        geometries: obj(
          {
            box: obj({ objects_to_annotate: arr(str({ minLength: 1 }), { minItems: 1 }), min_width: { type: 'number' }, min_height: { type: 'number' } }, ['objects_to_annotate']),
            polygon: obj({ objects_to_annotate: arr(str({ minLength: 1 }), { minItems: 1 }) }, ['objects_to_annotate']),
          },
          [],
          { minProperties: 1 },
        ),
      },
      ['attachment', 'geometries'],
    ),
    response: (p) => {
      const g = p.geometries as { box?: { objects_to_annotate: string[] }; polygon?: { objects_to_annotate: string[] } };
      const kinds: JsonSchema[] = [];
      const coord = { type: 'number', minimum: 0 };
      if (g.box) {
        kinds.push(
          obj(
            { uuid: str(), type: { const: 'box' }, label: oneOf(g.box.objects_to_annotate), left: coord, top: coord, width: { type: 'number', exclusiveMinimum: 0 }, height: { type: 'number', exclusiveMinimum: 0 } },
            ['type', 'label', 'left', 'top', 'width', 'height'],
          ),
        );
      }
      if (g.polygon) {
        kinds.push(obj({ uuid: str(), type: { const: 'polygon' }, label: oneOf(g.polygon.objects_to_annotate), vertices: arr(obj({ x: coord, y: coord }, ['x', 'y']), { minItems: 3 }) }, ['type', 'label', 'vertices']));
      }
      return obj({ annotations: arr({ anyOf: kinds }) }, ['annotations']);
    },
    example: { attachment: '/demo/street.svg', image_width: 640, image_height: 480, geometries: { box: { objects_to_annotate: ['car', 'person'] } } },
  },
];

export const taskTypes: ReadonlyMap<string, TaskTypeDefinition> = new Map(definitions.map((d) => [d.type, d]));

/** The definition of a type, or undefined for an unknown type. */
export function findTaskType(type: string): TaskTypeDefinition | undefined {
  return taskTypes.get(type);
}

/**
 * Published reason codes for review decisions (FAIRWORK rule 5). A rejection or a send-back must
 * carry one of these, a text of at least 20 characters, and (for a rejection) evidence.
 */
export const REVIEW_REASON_CODES = ['wrong_answer', 'instructions_not_followed', 'incomplete', 'gold_failure', 'speed_outlier', 'spam_or_random', 'other'] as const;
export const MIN_REASON_TEXT = 20;

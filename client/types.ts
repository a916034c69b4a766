/*
 * Task types as the API speaks them (API.md): each type's own fields and its answer. These mirror
 * the JSON Schemas of the server's registry (src/shared/task-types.ts); the client's tests check
 * the registry's examples and synthetic answers against them at run time.
 */
export interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}
export interface ModelResponse {
  id: string;
  model?: string;
  messages: Message[];
}

export interface TaskTypes {
  categorization: { params: { categories: string[]; allow_multiple?: boolean; category_descriptions?: Record<string, string> }; response: { category: string } | { categories: string[] } };
  rating: { params: { scale: { min: number; max: number; labels?: string[] }; criteria: string[]; prompt?: Message[]; completion?: Message[] }; response: { ratings: Record<string, number> } };
  textcollection: {
    params: { fields: { field_id: string; type: 'category' | 'text' | 'number' | 'rating' | 'boolean'; title: string; choices?: string[]; required?: boolean }[] };
    response: { annotations: Record<string, { type: string; response: string | number | boolean }> };
  };
  comparison: {
    params: { prompt: Message[]; responses: [ModelResponse, ModelResponse]; criteria?: string[]; allow_tie?: boolean; allow_both_bad?: boolean; strength_scale?: number };
    response: { winner: string; strength?: number; criteria?: Record<string, string>; rationale?: string; display_order: string[] };
  };
  ranking: { params: { prompt: Message[]; responses: ModelResponse[]; allow_ties?: boolean }; response: { ranking: string[][] } };
  binaryfeedback: { params: { prompt: Message[]; completion: Message[] }; response: { label: boolean; reason?: string } };
  sft: { params: { prompt: Message[]; draft?: Message[] }; response: { completion: { role: 'assistant'; content: string }[] } };
  rubric: {
    params: { prompt?: Message[]; completion: Message[]; criteria: { id: string; description: string; weight: number; scale: { min: number; max: number } }[] };
    response: { criteria: Record<string, { score?: number; justification?: string; not_applicable?: boolean }>; total_score?: number; percentage?: number };
  };
  refusalaudit: {
    params: { prompt: string | Message[]; language: string; topic: string; model: string; response: string; control?: boolean };
    response: { label: string; flags?: string[]; notes?: string };
  };
  namedentityrecognition: { params: { text: string; labels: string[]; allow_overlap?: boolean }; response: { spans: { start: number; end: number; label: string; text: string }[] } };
  imageannotation: {
    params: { attachment: string; image_width?: number; image_height?: number; geometries: { box?: { objects_to_annotate: string[] }; polygon?: { objects_to_annotate: string[] } } };
    response: { annotations: ({ uuid?: string; type: 'box'; label: string; left: number; top: number; width: number; height: number } | { uuid?: string; type: 'polygon'; label: string; vertices: { x: number; y: number }[] })[] };
  };
}

export type TaskTypeName = keyof TaskTypes;
export type TaskParams<T extends TaskTypeName> = TaskTypes[T]['params'];
export type TaskResponse<T extends TaskTypeName> = TaskTypes[T]['response'];

/*
 * Worker-side helpers shared by the home page and the workbench.
 */
import { findTaskType } from '../shared/task-types.ts';
import type { Locale } from './i18n.ts';

/** FAIRWORK.md: a heartbeat every 15 s; "input active" means any input within that interval. */
export const HEARTBEAT_MS = 15_000;

export interface CategorizationForm {
  /** The answer's field: `category` (one) or `categories` (several), as the response schema says. */
  field: 'category' | 'categories';
  choices: string[];
  descriptions: Record<string, string>;
}

type EnumSchema = { enum?: unknown[]; items?: { enum?: unknown[] } };

/**
 * The answer form of a categorization task, read from the type's response schema in the shared
 * registry, so the workbench sends exactly the shape the server validates. Undefined when the
 * params have no categories.
 */
export function categorizationForm(params: Record<string, unknown>): CategorizationForm | undefined {
  const def = findTaskType('categorization');
  if (!def || !Array.isArray(params.categories)) return undefined;
  const properties = (def.response(params) as { properties?: Record<string, EnumSchema> }).properties ?? {};
  const descriptions = (params.category_descriptions as Record<string, string> | undefined) ?? {};
  if (properties.categories) return { field: 'categories', choices: (properties.categories.items?.enum ?? []).map(String), descriptions };
  if (properties.category) return { field: 'category', choices: (properties.category.enum ?? []).map(String), descriptions };
  return undefined;
}

/** The response to submit for the chosen categories, in the order the task lists them. */
export function categorizationAnswer(form: CategorizationForm, chosen: readonly string[]): Record<string, unknown> {
  const ordered = form.choices.filter((c) => chosen.includes(c));
  return form.field === 'categories' ? { categories: ordered } : { category: ordered[0] };
}

/**
 * The instructions to show: in the interface language when the project has it, else in one of the
 * worker's languages, else English, else the first there is. Returns [language, markdown] or undefined.
 */
export function pickInstructions(instructions: Record<string, string> | undefined, locale: Locale, languages: readonly string[] = []): [string, string] | undefined {
  if (!instructions) return undefined;
  const available = Object.keys(instructions).filter((k) => instructions[k]?.trim());
  const base = (tag: string) => tag.toLowerCase().split('-')[0];
  for (const wanted of [locale, ...languages, 'en']) {
    const hit = available.find((k) => k === wanted) ?? available.find((k) => base(k) === base(wanted));
    if (hit) return [hit, instructions[hit]];
  }
  return available.length ? [available[0], instructions[available[0]]] : undefined;
}

/** A categorization answer as the category names it holds, or undefined for another shape. */
export function categoriesOf(response: Record<string, unknown> | null | undefined): string[] | undefined {
  if (!response) return undefined;
  if (typeof response.category === 'string') return [response.category];
  if (Array.isArray(response.categories)) return response.categories.map(String);
  return undefined;
}

/** Tracks whether any key or pointer input happened recently. Records only when, never what. */
export function trackInput(): { activeWithin(ms: number): boolean; stop(): void } {
  let last = Date.now();
  const mark = () => {
    last = Date.now();
  };
  const events = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;
  for (const e of events) window.addEventListener(e, mark, { passive: true, capture: true });
  return {
    activeWithin: (ms) => Date.now() - last <= ms,
    stop: () => {
      for (const e of events) window.removeEventListener(e, mark, { capture: true });
    },
  };
}

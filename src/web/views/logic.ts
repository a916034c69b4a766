/*
 * The arithmetic behind the workbench views, kept pure so it is tested without a browser.
 */

/** A uniformly random permutation (Fisher-Yates) using crypto randomness. */
export function shuffled<T>(items: readonly T[], random: () => number = cryptoRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A float in [0, 1) from crypto.getRandomValues (available on plain http too, unlike randomUUID). */
export function cryptoRandom(): number {
  const buf = new Uint32Array(1);
  crypto.getRandomValues(buf);
  return buf[0] / 2 ** 32;
}

/** A version 4 UUID. crypto.randomUUID exists only in secure contexts, so build it from random bytes. */
export function uuid(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface RubricCriterion {
  id: string;
  description: string;
  weight: number;
  scale: { min: number; max: number; labels?: string[] };
}

export interface RubricMark {
  score?: number;
  justification?: string;
  not_applicable?: boolean;
}

/**
 * Total and percentage of a rubric answer. total_score = sum of weight x score over the criteria
 * that apply; percentage = 100 x sum w(score - min) / sum w(max - min) over the same criteria, so it
 * is 0 at every minimum and 100 at every maximum whatever the scales. Criteria marked not
 * applicable (or still unscored) count in neither. Undefined percentage when nothing applies.
 */
export function rubricTotals(criteria: readonly RubricCriterion[], marks: Record<string, RubricMark>): { total_score: number; percentage?: number } {
  let total = 0;
  let gained = 0;
  let possible = 0;
  for (const c of criteria) {
    const m = marks[c.id];
    if (!m || m.not_applicable || m.score === undefined) continue;
    total += c.weight * m.score;
    gained += c.weight * (m.score - c.scale.min);
    possible += c.weight * (c.scale.max - c.scale.min);
  }
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return possible > 0 ? { total_score: round(total), percentage: round(Math.min(100, Math.max(0, (100 * gained) / possible))) } : { total_score: round(total) };
}

/** Ordered groups from an order and the items tied with the one before them: [[a], [b, c], [d]]. */
export function rankingGroups(order: readonly string[], tiedWithPrevious: ReadonlySet<string>): string[][] {
  const groups: string[][] = [];
  for (const id of order) {
    if (groups.length > 0 && tiedWithPrevious.has(id)) groups[groups.length - 1].push(id);
    else groups.push([id]);
  }
  return groups;
}

/** The order and ties back from groups (for showing a stored ranking). */
export function orderFromGroups(groups: readonly (readonly string[])[]): { order: string[]; tied: Set<string> } {
  const order: string[] = [];
  const tied = new Set<string>();
  for (const g of groups) {
    g.forEach((id, i) => {
      order.push(id);
      if (i > 0) tied.add(id);
    });
  }
  return { order, tied };
}

/** Moves the item at `from` to index `to` (after removal), returning a new array. */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const out = [...items];
  const [item] = out.splice(from, 1);
  out.splice(Math.max(0, Math.min(out.length, to)), 0, item);
  return out;
}

/** A number within [min, max], rounded to whole pixels. */
export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

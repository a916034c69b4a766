/**
 * Write-behind statements held for one write (see dialect.ts) cost PostgreSQL and the driver a
 * statement each: a submit's end and its time segment are two. Statements that touch different
 * tables can go as one, each but the last as a data-modifying `WITH` entry of the next. All parts of
 * one statement see the same snapshot and none sees another's changes, so only statements whose
 * tables are disjoint are merged; any statement this reader cannot take apart goes alone, as before.
 */
import { keepReady } from './prepared.ts';

export interface Statement {
  text: string;
  values?: readonly unknown[];
}

interface Parts {
  /** The `name AS (…)` entries of the statement's own WITH, as written. */
  ctes: string[];
  cteNames: string[];
  /** The data-modifying statement after them. */
  main: string;
  tables: Set<string>;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_.$]*)`;
// A table named after one of these words, or a comma-separated list of them after FROM.
const TABLE_LIST = new RegExp(String.raw`\b(?:from|join|update|into|using)\s+(?:only\s+)?(${IDENT}(?:\s+(?:as\s+)?${IDENT})?(?:\s*,\s*${IDENT}(?:\s+(?:as\s+)?${IDENT})?)*)`, 'gi');
const FIRST_IDENT = new RegExp(`^\\s*${IDENT}`, 'i');
const DATA_MODIFYING = /^(insert|update|delete)\b/i;

const unquote = (name: string) => (name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase());

/** Index just past the quoted text starting at `i` (a '…' literal or a "…" name), doubled quotes included. */
function pastQuote(text: string, i: number): number {
  const quote = text[i];
  let j = i + 1;
  for (;;) {
    const end = text.indexOf(quote, j);
    if (end < 0) return -1;
    if (text[end + 1] !== quote) return end + 1;
    j = end + 2;
  }
}

/** Index of the parenthesis closing the one at `open`, or -1. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      i = pastQuote(text, i) - 1;
      if (i < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Applies `change` to the text outside quotes. */
function outsideQuotes(text: string, change: (chunk: string) => string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const next = text.slice(i).search(/['"]/);
    if (next < 0) return out + change(text.slice(i));
    const start = i + next;
    const end = pastQuote(text, start);
    out += change(text.slice(i, start)) + text.slice(start, end < 0 ? text.length : end);
    i = end < 0 ? text.length : end;
  }
  return out;
}

function tablesOf(text: string): Set<string> {
  const tables = new Set<string>();
  const bare = outsideQuotes(text, (chunk) => chunk);
  for (const match of bare.matchAll(TABLE_LIST)) {
    for (const item of match[1].split(',')) {
      const name = FIRST_IDENT.exec(item)?.[0].trim();
      if (name) tables.add(unquote(name));
    }
  }
  return tables;
}

/** The statement as WITH entries and a data-modifying main part, or undefined if it is not that. */
function partsOf(text: string): Parts | undefined {
  const ctes: string[] = [];
  const cteNames: string[] = [];
  let rest = text.trim();
  if (/^with\s/i.test(rest)) {
    if (/^with\s+recursive\b/i.test(rest)) return undefined;
    rest = rest.slice(4);
    for (;;) {
      const head = new RegExp(`^\\s*(${IDENT})\\s+as\\s+(?:(?:not\\s+)?materialized\\s+)?\\(`, 'i').exec(rest);
      if (!head) return undefined;
      const end = closing(rest, head[0].length - 1);
      if (end < 0) return undefined;
      const name = unquote(head[1]);
      // Names this module gives the merged parts are taken.
      if (name.startsWith('tessera_write_')) return undefined;
      ctes.push(rest.slice(0, end + 1).trim());
      cteNames.push(name);
      rest = rest.slice(end + 1).trimStart();
      if (!rest.startsWith(',')) break;
      rest = rest.slice(1);
    }
  }
  if (!DATA_MODIFYING.test(rest)) return undefined;
  return { ctes, cteNames, main: rest, tables: tablesOf(text) };
}

/** `$n` placeholders moved on by `offset`. */
function renumbered(text: string, offset: number): string {
  return offset === 0 ? text : outsideQuotes(text, (chunk) => chunk.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`));
}

// The same few statements meet again and again: their merged text is worked out once, and found by
// walking the group's texts (each an interned string whose hash is kept) rather than by joining them.
interface MergedNode {
  next: Map<string, MergedNode>;
  text?: string;
}
const merged: MergedNode = { next: new Map() };
let mergedNodes = 0;
const partsByText = new Map<string, Parts | null>();

function cachedParts(text: string): Parts | undefined {
  let parts = partsByText.get(text);
  if (parts === undefined) {
    parts = partsOf(text) ?? null;
    if (partsByText.size < 1000) partsByText.set(text, parts);
  }
  return parts ?? undefined;
}

function mergedText(group: readonly Statement[]): string {
  const entries: string[] = [];
  let offset = 0;
  for (const [i, statement] of group.entries()) {
    const parts = cachedParts(statement.text) as Parts;
    entries.push(...parts.ctes.map((cte) => renumbered(cte, offset)));
    const main = renumbered(parts.main, offset);
    if (i === group.length - 1) return `WITH ${entries.join(', ')} ${main}`;
    entries.push(`tessera_write_${i} AS (${main})`);
    offset += statement.values?.length ?? 0;
  }
  throw new Error('nothing to merge');
}

function mergeGroup(group: Statement[]): Statement {
  if (group.length === 1) return group[0];
  let node = merged;
  let kept = true;
  for (const statement of group) {
    let next = node.next.get(statement.text);
    if (!next) {
      next = { next: new Map() };
      // Past the limit a merged text is worked out each time and sent unnamed, never kept.
      if (mergedNodes < 1000) {
        node.next.set(statement.text, next);
        mergedNodes++;
      } else kept = false;
    }
    node = next;
  }
  if (node.text === undefined) {
    node.text = mergedText(group);
    if (kept) keepReady(node.text);
  }
  const values: unknown[] = [];
  for (const statement of group) if (statement.values) values.push(...statement.values);
  return { text: node.text, values };
}

/**
 * The statements, in order, with each run of neighbours that touch disjoint tables made one statement.
 * Returns the same statements when nothing merges.
 */
export function mergedWrites(statements: readonly Statement[]): readonly Statement[] {
  if (statements.length < 2) return statements;
  const out: Statement[] = [];
  let group: Statement[] = [];
  let tables = new Set<string>();
  let names = new Set<string>();
  const close = () => {
    if (group.length) out.push(mergeGroup(group));
    group = [];
    tables = new Set();
    names = new Set();
  };
  for (const statement of statements) {
    const parts = cachedParts(statement.text);
    if (!parts) {
      close();
      out.push(statement);
      continue;
    }
    const clash = [...parts.tables].some((t) => tables.has(t)) || parts.cteNames.some((n) => names.has(n));
    if (clash) close();
    group.push(statement);
    for (const t of parts.tables) tables.add(t);
    for (const n of parts.cteNames) names.add(n);
  }
  close();
  return out;
}

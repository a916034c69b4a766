/*
 * Every interface string exists, non-empty, in all seven languages; translations keep the same
 * {{placeholders}}; nothing is left as an English copy except words that really are the same; and
 * every key the code asks for is in en.json.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const LOCALES = ['en', 'fr', 'es', 'pt', 'ja', 'ko', 'ar'] as const;

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flatten(value, path, out);
    else out.set(path, value);
  }
  return out;
}

function load(locale: string): Map<string, unknown> {
  return flatten(JSON.parse(readFileSync(join(here, 'locales', `${locale}.json`), 'utf8')) as Tree);
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]).sort();
}

/** Keys whose translation may equal the English text (same word in that language, or a code). */
const SAME_AS_ENGLISH: Record<string, string[]> = {
  fr: ['common.actions', 'counts.total', 'import.code', 'import.format', 'projects.type', 'create.markdownIn', 'keys.kindTest', 'work.role.assistant'],
  es: ['counts.total', 'create.markdownIn', 'status.task.error', 'views.no'],
  pt: ['counts.total', 'create.markdownIn'],
  ja: [],
  ko: [],
  ar: [],
};

const en = load('en');

describe('interface translations', () => {
  for (const locale of LOCALES.filter((l) => l !== 'en')) {
    describe(locale, () => {
      const other = load(locale);

      it('has every English key, and no key English lacks', () => {
        expect([...en.keys()].filter((k) => !other.has(k))).toEqual([]);
        expect([...other.keys()].filter((k) => !en.has(k))).toEqual([]);
      });

      it('has no empty or non-text value', () => {
        const empty = [...other].filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
        expect(empty).toEqual([]);
      });

      it('keeps the placeholders of each English string', () => {
        const wrong = [...en]
          .filter(([k, v]) => typeof v === 'string' && typeof other.get(k) === 'string' && placeholders(v).join() !== placeholders(other.get(k) as string).join())
          .map(([k]) => k);
        expect(wrong).toEqual([]);
      });

      it('is translated, not copied from English', () => {
        const allowed = new Set(SAME_AS_ENGLISH[locale]);
        // Strings with no letters (like "{{n}}") cannot be told apart and are skipped.
        const copied = [...en].filter(([k, v]) => typeof v === 'string' && /\p{L}{2}/u.test(v.replace(/\{\{[^}]*\}\}/g, '')) && other.get(k) === v && !allowed.has(k)).map(([k]) => k);
        expect(copied).toEqual([]);
        // An allowance that no longer matches English is stale: keep the list honest.
        expect([...allowed].filter((k) => other.get(k) !== en.get(k))).toEqual([]);
      });
    });
  }

  it('has every key the code asks for with t("...")', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.tsx?$/.test(entry) && !entry.endsWith('.test.ts')) files.push(path);
      }
    };
    walk(here);
    const asked = new Set<string>();
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([^'$`]+)'/g)) asked.add(m[1]);
    }
    expect(asked.size).toBeGreaterThan(100);
    expect([...asked].filter((k) => !en.has(k)).sort()).toEqual([]);
  });
});

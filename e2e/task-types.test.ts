/*
 * Every task type in a real browser: a worker labels at least one task of each type with the
 * keyboard or the mouse, as a person would, and the answer the API stores (read back through
 * `response.annotator_responses`) is exactly what was entered. Comparison answers name the
 * response chosen whichever side it was shown on; spans count code points through emoji, Arabic
 * and combining characters; boxes and polygons are in image pixels whatever the zoom.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type ApiClient, browserEnabled, type Harness, login, ROOT, snap, startHarness, warnIfSkipped } from './harness.ts';

warnIfSkipped();

type Answer = Record<string, unknown>;
const PAY = { currency: 'USD', piece_rate_minor: 10, estimated_seconds: 30 };

/** Code-point index of `part` in `text` (what the API's offsets count). */
function cpIndex(text: string, part: string): number {
  const at = text.indexOf(part);
  if (at < 0) throw new Error(`${part} not in text`);
  return Array.from(text.slice(0, at)).length;
}
const cpLength = (s: string) => Array.from(s).length;

describe.skipIf(!browserEnabled)('every task type in the workbench, answers read back through the API', () => {
  let h: Harness;
  let page: Page;
  let admin: ApiClient;
  let workerId: number;

  /** A project of `type` with one answer per task, individual answers on, and the given tasks. */
  async function project(name: string, type: string, params: Record<string, unknown>, tasks: Record<string, unknown>[]): Promise<string[]> {
    await admin.post('/projects', { name, type, params, overlap: { min: 1, max: 1 }, pay: PAY, instructions: { en: `# ${type}\n\nAnswer as carefully as you can.` } });
    await admin.post(`/projects/${name}/setParams`, { quality: { annotator_responses: true } });
    const ids: string[] = [];
    for (const t of tasks) ids.push((await admin.post<{ task_id: string }>(`/task/${type}`, { project: name, ...t })).task_id);
    return ids;
  }

  /** This worker's stored answer to a task, as the requester API returns it. */
  async function stored(taskId: string): Promise<Answer | undefined> {
    const task = await admin.get<{ response: { annotator_responses?: { worker_id: number; response: Answer }[] } | null }>(`/task/${taskId}`);
    return task.response?.annotator_responses?.find((a) => a.worker_id === workerId)?.response;
  }

  /** Opens a project's workbench and waits for its first task; returns the task id. */
  async function open(name: string): Promise<string> {
    await page.goto(`${h.baseUrl}/work/${name}`);
    const task = page.locator('[data-testid=task]');
    await task.waitFor();
    return (await task.getAttribute('data-task')) as string;
  }

  /** Waits until the task on screen is no longer `previous` (the next one, or the end). */
  async function after(previous: string): Promise<'task' | 'empty'> {
    const handle = await page.waitForFunction((prev) => {
      if (document.querySelector('[data-testid=no-more-tasks]')) return 'empty';
      const task = document.querySelector('[data-testid=task]');
      return task && task.getAttribute('data-task') !== prev ? 'task' : false;
    }, previous);
    return (await handle.jsonValue()) as 'task' | 'empty';
  }

  /** The submit button is enabled: the view reports a complete answer. */
  async function ready(): Promise<void> {
    await page.locator('[data-testid=submit]:not([disabled])').waitFor();
  }

  beforeAll(async () => {
    h = await startHarness();
    admin = await h.apiAs(ADMIN);
    workerId = (await (await h.apiAs(h.worker)).get<{ id: number }>('/me')).id;
    page = await h.newPage();
    await login(page, h.baseUrl, h.worker);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('categorization with several categories: number keys toggle them', async () => {
    const [id] = await project('tt-categories', 'categorization', { categories: ['red', 'green', 'blue'], allow_multiple: true }, [{ attachments: [{ type: 'text', content: 'A purple sunset' }] }]);
    expect(await open('tt-categories')).toBe(id);
    await page.keyboard.press('1');
    await page.keyboard.press('3');
    await page.keyboard.press('2');
    await page.keyboard.press('2');
    await snap(page, 'workbench-categorization');
    await page.keyboard.press('Enter');
    await after(id);
    expect(await stored(id)).toEqual({ categories: ['red', 'blue'] });
  });

  it('rating: digits rate each criterion in turn, arrows adjust', async () => {
    const [id] = await project('tt-rating', 'rating', { scale: { min: 1, max: 5, labels: ['awful', 'poor', 'fair', 'good', 'great'] }, criteria: ['helpfulness', 'accuracy', 'tone'] }, [
      { prompt: [{ role: 'user', content: 'How do I boil an egg?' }], completion: [{ role: 'assistant', content: 'Put it in boiling water for 9 minutes.' }] },
    ]);
    expect(await open('tt-rating')).toBe(id);
    await page.keyboard.press('4');
    await page.keyboard.press('2');
    await page.keyboard.press('5');
    // The last criterion is still the active one: one step down on the scale.
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('[data-criterion=tone] .scale-option.is-selected').getAttribute('data-value')).toBe('4');
    // "?" lists this type's keys beside the common ones.
    await page.keyboard.press('?');
    const keys = page.locator('[data-testid=keys-dialog][open]');
    await keys.waitFor();
    expect(await keys.innerText()).toContain('Rate the highlighted criterion');
    await page.keyboard.press('Escape');
    await keys.waitFor({ state: 'detached' });
    await snap(page, 'workbench-rating');
    await page.keyboard.press('Enter');
    await after(id);
    expect(await stored(id)).toEqual({ ratings: { helpfulness: 4, accuracy: 2, tone: 4 } });
  });

  it('text collection: every field type, filled as a form, submitted with Ctrl+Enter', async () => {
    const fields = [
      { field_id: 'summary', type: 'text', title: 'One-line summary', required: true },
      { field_id: 'topic', type: 'category', title: 'Topic', choices: ['news', 'sport', 'science'], required: true },
      { field_id: 'year', type: 'number', title: 'Year mentioned', min: 1900, max: 2100 },
      { field_id: 'stars', type: 'rating', title: 'Quality', min: 1, max: 5 },
      { field_id: 'sourced', type: 'boolean', title: 'Cites a source' },
      { field_id: 'extra', type: 'text', title: 'Anything else' },
    ];
    const [id] = await project('tt-form', 'textcollection', { fields }, [{ attachments: [{ type: 'text', content: 'In 1969 people walked on the Moon, NASA reported.' }] }]);
    expect(await open('tt-form')).toBe(id);
    // Required fields missing: nothing to submit yet.
    expect(await page.locator('[data-testid=submit]').isDisabled()).toBe(true);
    await page.getByLabel('One-line summary').fill('Moon landing');
    await page.keyboard.press('Escape');
    await page.locator('[data-field=topic] [data-choice=science]').click();
    // Digits choose within the focused field: 2 is "sport".
    await page.keyboard.press('2');
    await page.getByLabel('Year mentioned').fill('1969');
    await page.locator('[data-field=stars] [data-value="4"]').click();
    await page.locator('[data-field=sourced] [data-choice=true]').click();
    await snap(page, 'workbench-textcollection');
    await page.getByLabel('Year mentioned').focus();
    await page.keyboard.press('Control+Enter');
    await after(id);
    expect(await stored(id)).toEqual({
      annotations: {
        summary: { type: 'text', response: 'Moon landing' },
        topic: { type: 'category', response: 'sport' },
        year: { type: 'number', response: 1969 },
        stars: { type: 'rating', response: 4 },
        sourced: { type: 'boolean', response: true },
      },
    });
  });

  it('comparison: the stored winner is the response chosen, on whichever side it was shown', async () => {
    const n = 16;
    const tasks = Array.from({ length: n }, (_, i) => ({
      prompt: [{ role: 'user', content: `Question ${i}: what is 2 + ${i}?` }],
      responses: [
        { id: `good-${i}`, model: 'model-a', messages: [{ role: 'assistant', content: `It is ${2 + i}.` }] },
        { id: `bad-${i}`, model: 'model-b', messages: [{ role: 'assistant', content: 'I would rather not say.' }] },
      ],
    }));
    const ids = await project('tt-compare', 'comparison', { criteria: ['clarity'], allow_tie: true, allow_both_bad: true, strength_scale: 3 }, tasks);
    let current = await open('tt-compare');
    const sides = new Set<string>();
    const expected = new Map<string, Answer>();
    for (let i = 0; i < n && !(sides.size === 2 && expected.size >= 4); i++) {
      const index = ids.indexOf(current);
      const good = `good-${index}`;
      const shown = await page.locator('[data-testid=comparison-sides] [data-response-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-response-id') as string));
      const side = (await page.locator(`[data-response-id="${good}"]`).getAttribute('data-side')) as string;
      sides.add(side);
      // A or B names the side on screen; the answer must name the response.
      await page.keyboard.press(side.toLowerCase());
      await page.keyboard.press('3');
      await page.keyboard.press(side.toLowerCase()); // the clarity criterion, now active
      await page.keyboard.press('r');
      await page.keyboard.type('Correct arithmetic.');
      await page.keyboard.press('Escape');
      if (i === 0) await snap(page, 'workbench-comparison');
      await ready();
      await page.keyboard.press('Enter');
      expected.set(current, { winner: good, strength: 3, criteria: { clarity: good }, rationale: 'Correct arithmetic.', display_order: shown });
      const next = await after(current);
      if (next === 'empty') break;
      current = (await page.locator('[data-testid=task]').getAttribute('data-task')) as string;
    }
    expect(sides).toEqual(new Set(['A', 'B']));
    // The page measured each submit-to-next-task time (what bench/browser.bench.ts reports).
    expect(await page.evaluate(() => performance.getEntriesByName('tessera:submit-to-next-task').length)).toBeGreaterThan(0);
    // A tie records no strength.
    await page.keyboard.press('t');
    await page.keyboard.press('t');
    await ready();
    const shownTie = await page.locator('[data-testid=comparison-sides] [data-response-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-response-id') as string));
    await page.keyboard.press('Enter');
    expected.set(current, { winner: 'tie', criteria: { clarity: 'tie' }, display_order: shownTie });
    await after(current);
    for (const [taskId, answer] of expected) expect(await stored(taskId)).toEqual(answer);
  });

  it('ranking: keys move a response to the top, a drag places another, T ties', async () => {
    const responses = ['r1', 'r2', 'r3'].map((id) => ({ id, messages: [{ role: 'assistant', content: `Answer ${id}` }] }));
    const [id] = await project('tt-rank', 'ranking', { allow_ties: true }, [{ prompt: [{ role: 'user', content: 'Name a prime number.' }], responses }]);
    expect(await open('tt-rank')).toBe(id);
    const order = () => page.locator('[data-testid=ranking] [data-response-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-response-id') as string));
    // r3 to the top with the keyboard: select it by its number, then Shift+Up.
    await page.keyboard.press(String((await order()).indexOf('r3') + 1));
    for (let i = 0; i < 2; i++) await page.keyboard.press('Shift+ArrowUp');
    expect((await order())[0]).toBe('r3');
    // r1 into second place with the mouse.
    if ((await order())[1] !== 'r1') {
      await page.locator('[data-response-id=r1]').dragTo(page.locator('[data-testid=ranking] [data-response-id]').nth(1), { targetPosition: { x: 40, y: 4 } });
    }
    expect(await order()).toEqual(['r3', 'r1', 'r2']);
    // r2 as good as r1.
    await page.keyboard.press('3');
    await page.keyboard.press('t');
    expect(await page.locator('[data-response-id=r2]').getAttribute('data-place')).toBe('2');
    await snap(page, 'workbench-ranking');
    await page.keyboard.press('Enter');
    await after(id);
    expect(await stored(id)).toEqual({ ranking: [['r3'], ['r1', 'r2']] });
  });

  it('binary feedback: N for bad, R for a reason', async () => {
    const [id] = await project('tt-binary', 'binaryfeedback', {}, [{ prompt: [{ role: 'user', content: 'Capital of Australia?' }], completion: [{ role: 'assistant', content: 'Sydney.' }] }]);
    expect(await open('tt-binary')).toBe(id);
    await page.keyboard.press('y');
    await page.keyboard.press('n');
    await page.keyboard.press('r');
    await page.keyboard.type('The capital is Canberra.');
    await page.keyboard.press('Escape');
    await snap(page, 'workbench-binaryfeedback');
    await page.keyboard.press('Enter');
    await after(id);
    expect(await stored(id)).toEqual({ label: false, reason: 'The capital is Canberra.' });
  });

  it('sft: rewrites the draft in Markdown with a live preview', async () => {
    const [id] = await project('tt-sft', 'sft', {}, [
      { prompt: [{ role: 'user', content: 'Write a haiku about rain.' }], draft: [{ role: 'assistant', content: 'rain rain go away' }] },
    ]);
    expect(await open('tt-sft')).toBe(id);
    const editor = page.locator('[data-testid=sft-editor]');
    expect(await editor.inputValue()).toBe('rain rain go away');
    await page.keyboard.press('e');
    await page.keyboard.press('Control+A');
    const text = '**Soft rain** on the roof\n\n- grey clouds lean low\n- the garden drinks deep';
    await page.keyboard.type(text);
    await page.locator('[data-testid=sft-preview] strong', { hasText: 'Soft rain' }).waitFor();
    expect(await page.locator('[data-testid=sft-preview] li').count()).toBe(2);
    await snap(page, 'workbench-sft');
    await page.keyboard.press('Control+Enter');
    await after(id);
    expect(await stored(id)).toEqual({ completion: [{ role: 'assistant', content: text }] });
  });

  it('rubric: scores, not applicable and a justification, with total and percentage worked out', async () => {
    const criteria = [
      { id: 'accuracy', description: 'Facts are correct', weight: 2, scale: { min: 0, max: 4 } },
      { id: 'concision', description: 'No filler', weight: 1, scale: { min: 0, max: 4 } },
      { id: 'sources', description: 'Cites sources', weight: 1, scale: { min: 0, max: 2 } },
    ];
    const [id] = await project('tt-rubric', 'rubric', { criteria }, [
      { prompt: [{ role: 'user', content: 'Summarise the water cycle.' }], completion: [{ role: 'assistant', content: 'Water evaporates, condenses into clouds and falls as rain (USGS).' }] },
    ]);
    expect(await open('tt-rubric')).toBe(id);
    await page.keyboard.press('3');
    await page.keyboard.press('n');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('2');
    await page.keyboard.press('j');
    await page.keyboard.type('Cites the USGS.');
    await page.keyboard.press('Escape');
    expect(await page.locator('[data-testid=rubric-total]').getAttribute('data-value')).toBe('8');
    expect(await page.locator('[data-testid=rubric-percentage]').getAttribute('data-value')).toBe('80');
    await snap(page, 'workbench-rubric');
    await page.keyboard.press('Enter');
    await after(id);
    expect(await stored(id)).toEqual({
      criteria: { accuracy: { score: 3 }, concision: { not_applicable: true }, sources: { score: 2, justification: 'Cites the USGS.' } },
      total_score: 8,
      percentage: 80,
    });
  });

  it('refusal audit: the nine labels with definitions, flags and notes', async () => {
    const [id] = await project('tt-refusal', 'refusalaudit', {}, [
      { prompt: 'What happened in this city in 1989?', language: 'en', topic: 'history', model: 'model-x', response: 'I am sorry, but I cannot help with that request.' },
    ]);
    expect(await open('tt-refusal')).toBe(id);
    expect(await page.locator('[data-label] .choice-desc').count()).toBe(9);
    // The model's name is not shown: the answer is judged, not its maker.
    expect(await page.locator('[data-testid=task]').innerText()).not.toContain('model-x');
    await page.keyboard.press('6');
    await page.keyboard.press('Shift+Digit2');
    await page.keyboard.press('Shift+Digit3');
    await page.keyboard.press('Shift+Digit3');
    await page.keyboard.press('n');
    await page.keyboard.type('Boilerplate apology.');
    await page.keyboard.press('Escape');
    await snap(page, 'workbench-refusalaudit');
    await page.keyboard.press('Enter');
    await after(id);
    expect(await stored(id)).toEqual({ label: 'refusal_canned', flags: ['truncated'], notes: 'Boilerplate apology.' });
  });

  it('named entities: mouse and keyboard spans through emoji, Arabic and combining marks, in code points', async () => {
    const text = 'Zoe\u0308 visited القاهرة with 👩‍👩‍👧 and the 🇫🇷 team in Paris.';
    const [id] = await project('tt-ner', 'namedentityrecognition', { labels: ['PERSON', 'PLACE', 'THING'], allow_overlap: true }, [{ text }]);
    expect(await open('tt-ner')).toBe(id);
    const box = page.locator('[data-testid=ner-text]');
    const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
    const graphemeIndex = (part: string) => graphemes.findIndex((_, i) => graphemes.slice(i).join('').startsWith(part));

    /** Drags the mouse over `part` (its first and last characters, in logical order). */
    async function mouseSelect(part: string): Promise<void> {
      const at = text.indexOf(part);
      const rects = await box.evaluate(
        (el, [start, end]) => {
          // The box holds exactly the text: find the text node and offset of a UTF-16 index.
          const locate = (index: number): [Node, number] => {
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            let seen = 0;
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
              const len = (n.nodeValue ?? '').length;
              if (index < seen + len) return [n, index - seen];
              seen += len;
            }
            throw new Error('offset outside the text');
          };
          const rectOf = (from: number, to: number) => {
            const r = document.createRange();
            r.setStart(...locate(from));
            const [node, offset] = locate(to - 1);
            r.setEnd(node, offset + 1);
            const b = r.getClientRects()[0];
            return { left: b.left, right: b.right, top: b.top, bottom: b.bottom };
          };
          const first = Array.from(el.textContent?.slice(start, end) ?? '')[0];
          const last = Array.from(el.textContent?.slice(start, end) ?? '').at(-1) ?? '';
          return [rectOf(start, start + first.length), rectOf(end - last.length, end)];
        },
        [at, at + part.length] as [number, number],
      );
      const [first, last] = rects;
      const rtl = /[\u0600-\u06ff]/.test(part);
      const y = (first.top + first.bottom) / 2;
      // The caret before a character is on its left in left-to-right text, on its right in Arabic.
      await page.mouse.move(rtl ? first.right - 1 : first.left + 1, y);
      await page.mouse.down();
      await page.mouse.move(rtl ? last.left + 1 : last.right - 1, y, { steps: 5 });
      await page.mouse.up();
    }

    /** Puts the keyboard caret before grapheme `index` and selects `count` graphemes with Shift+Right. */
    async function keySelect(index: number, count: number): Promise<void> {
      await box.focus();
      await page.keyboard.press('Home');
      for (let i = 0; i < index; i++) await page.keyboard.press('ArrowRight');
      for (let i = 0; i < count; i++) await page.keyboard.press('Shift+ArrowRight');
    }

    // "Zoë" (o, e + combining diaeresis): three characters on screen, four code points.
    await keySelect(0, 3);
    expect(await box.getAttribute('data-selection')).toBe('0-4');
    await page.keyboard.press('1');
    // The Arabic city, selected with the mouse.
    await mouseSelect('القاهرة');
    await page.keyboard.press('2');
    // The emoji family: one character on screen, five code points.
    await keySelect(graphemeIndex('👩‍👩‍👧'), 1);
    await page.keyboard.press('3');
    // Overlapping spans: "🇫🇷 team" with the mouse, the flag alone with the keyboard.
    await mouseSelect('🇫🇷 team');
    await page.keyboard.press('3');
    await keySelect(graphemeIndex('🇫🇷'), 1);
    await page.keyboard.press('2');
    // A mistake, removed with Backspace at the end of the span.
    await keySelect(graphemeIndex('Paris'), 5);
    await page.keyboard.press('1');
    expect(await page.locator('[data-testid=span-list] li').count()).toBe(6);
    await page.keyboard.press('Backspace');
    expect(await page.locator('[data-testid=span-list] li').count()).toBe(5);
    await snap(page, 'workbench-namedentityrecognition');
    await page.setViewportSize({ width: 1280, height: 800 });
    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'docs/workbench.png'), animations: 'disabled' });
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.keyboard.press('Enter');
    await after(id);

    const span = (part: string, label: string) => ({ start: cpIndex(text, part), end: cpIndex(text, part) + cpLength(part), label, text: part });
    const expected = [span('Zoe\u0308', 'PERSON'), span('القاهرة', 'PLACE'), span('👩‍👩‍👧', 'THING'), span('🇫🇷 team', 'THING'), span('🇫🇷', 'PLACE')];
    expect(expected.map((s) => [s.start, s.end])).toEqual([
      [0, 4],
      [13, 20],
      [26, 31],
      [40, 47],
      [40, 42],
    ]);
    const answer = (await stored(id)) as { spans: { start: number }[] };
    const byStart = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start - b.start || b.end - a.end;
    expect([...(answer.spans as { start: number; end: number }[])].sort(byStart)).toEqual(expected.sort(byStart));
  });

  it('image annotation: boxes and a polygon in image pixels at any zoom, moved and resized', async () => {
    const W = 1600;
    const H = 1000;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="${W}" height="${H}" fill="#cfe3f5"/><rect x="100" y="150" width="400" height="300" fill="#d9534f"/><circle cx="100" cy="130" r="40" fill="#333"/><path d="M800 500 L1500 520 L1200 900 Z" fill="#888"/></svg>`;
    const image = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
    // The image rides in the project's params: a task's own `attachment` field is taken by the task
    // API as the common attachment shorthand (attachment + attachment_type) before the type sees it.
    const [id] = await project('tt-image', 'imageannotation', { attachment: image, geometries: { box: { objects_to_annotate: ['car', 'person'] }, polygon: { objects_to_annotate: ['road'] } } }, [{ metadata: { scene: 'street' } }]);
    expect(await open('tt-image')).toBe(id);
    const canvas = page.locator('[data-testid=image-canvas]');
    await canvas.waitFor();
    expect(await canvas.getAttribute('data-width')).toBe(String(W));
    const toScreen = async (x: number, y: number) => {
      const b = await canvas.boundingBox();
      if (!b) throw new Error('no canvas');
      return { x: b.x + (x * b.width) / W, y: b.y + (y * b.height) / H, scale: b.width / W };
    };
    const drag = async (from: [number, number], to: [number, number]) => {
      const a = await toScreen(...from);
      const b = await toScreen(...to);
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      await page.mouse.move(b.x, b.y, { steps: 8 });
      await page.mouse.up();
    };
    // A car box, drawn at the fitted size (the image is shown smaller than it is).
    const fitted = (await toScreen(0, 0)).scale;
    expect(fitted).toBeLessThan(1);
    await drag([100, 150], [500, 450]);
    await page.keyboard.press('Escape');
    // A person box, drawn zoomed in.
    await page.keyboard.press('2');
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    const zoomed = (await toScreen(0, 0)).scale;
    expect(zoomed).toBeGreaterThan(fitted * 1.9);
    await drag([60, 90], [140, 170]);
    await page.keyboard.press('0');
    // A road polygon, clicked point by point and closed with Enter.
    await page.keyboard.press('p');
    for (const [x, y] of [
      [800, 500],
      [1500, 520],
      [1200, 900],
    ] as [number, number][]) {
      const p = await toScreen(x, y);
      await page.mouse.click(p.x, p.y);
    }
    await page.keyboard.press('Enter');
    // Back to the car: move it 10 px right with the keyboard, then drag its corner.
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    await page.keyboard.press('Shift+ArrowRight');
    const corner = await page.locator('[data-handle=corner][data-corner=se]').boundingBox();
    if (!corner) throw new Error('no handle');
    const to = await toScreen(600, 500);
    await page.mouse.move(corner.x + corner.width / 2, corner.y + corner.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 8 });
    await page.mouse.up();
    await snap(page, 'workbench-imageannotation');
    await ready();
    await page.keyboard.press('Enter');
    await after(id);

    const answer = (await stored(id)) as { annotations: Record<string, unknown>[] };
    expect(answer.annotations.map((a) => [a.type, a.label])).toEqual([
      ['box', 'car'],
      ['box', 'person'],
      ['polygon', 'road'],
    ]);
    // Within one screen pixel of what was aimed at, in image pixels, at either zoom.
    const near = (value: unknown, want: number, scale: number) => expect(Math.abs((value as number) - want)).toBeLessThanOrEqual(Math.ceil(1 / scale) + 1);
    const [car, person, road] = answer.annotations;
    near(car.left, 110, fitted);
    near(car.top, 150, fitted);
    near((car.left as number) + (car.width as number), 600, fitted);
    near((car.top as number) + (car.height as number), 500, fitted);
    near(person.left, 60, zoomed);
    near(person.top, 90, zoomed);
    near(person.width, 80, zoomed);
    near(person.height, 80, zoomed);
    const vertices = road.vertices as { x: number; y: number }[];
    for (const [i, [x, y]] of [
      [800, 500],
      [1500, 520],
      [1200, 900],
    ].entries()) {
      near(vertices[i].x, x, fitted);
      near(vertices[i].y, y, fitted);
    }
    for (const a of answer.annotations) {
      expect(typeof a.uuid).toBe('string');
      for (const k of ['left', 'top', 'width', 'height']) if (k in a) expect(Number.isInteger(a[k])).toBe(true);
    }
  });

  it('shows every view in Arabic, right to left (screenshots)', async () => {
    const extra: [string, string, Record<string, unknown>][] = [
      ['tt-rating', 'rating', { prompt: [{ role: 'user', content: 'ما عاصمة مصر؟' }], completion: [{ role: 'assistant', content: 'القاهرة.' }] }],
      ['tt-compare', 'comparison', { prompt: [{ role: 'user', content: 'ما عاصمة مصر؟' }], responses: [{ id: 'x', messages: [{ role: 'assistant', content: 'القاهرة.' }] }, { id: 'y', messages: [{ role: 'assistant', content: 'الإسكندرية.' }] }] }],
      ['tt-rank', 'ranking', { prompt: [{ role: 'user', content: 'اذكر عددًا أوليًا.' }], responses: ['٢', '٤', '٧'].map((c, i) => ({ id: `a${i}`, messages: [{ role: 'assistant', content: c }] })) }],
      ['tt-refusal', 'refusalaudit', { prompt: 'ماذا حدث في هذه المدينة عام ١٩٨٩؟', language: 'ar', topic: 'تاريخ', model: 'm', response: 'عذرًا، لا أستطيع المساعدة في ذلك.' }],
      ['tt-ner', 'namedentityrecognition', { text: 'زارت زوي القاهرة مع 👩‍👩‍👧 ثم سافرت إلى Paris.' }],
      ['tt-rubric', 'rubric', { completion: [{ role: 'assistant', content: 'يتبخر الماء ثم يتكثف ويهطل مطرًا.' }] }],
      ['tt-sft', 'sft', { prompt: [{ role: 'user', content: 'اكتب بيتًا عن المطر.' }] }],
    ];
    for (const [name, type, fields] of extra) await admin.post(`/task/${type}`, { project: name, ...fields });
    await page.goto(`${h.baseUrl}/work`);
    await page.locator('[data-testid=language-picker]').selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    for (const [name, type] of extra) {
      const id = await open(name);
      if (type === 'namedentityrecognition') {
        await page.locator('[data-testid=ner-text]').focus();
        await page.keyboard.press('Home');
        for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
        for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowLeft');
        await page.keyboard.press('1');
        // In right-to-left text the Left arrow moves forward: "زوي" is code points 5 to 8.
        await page.locator('[data-testid=span-list] [data-span="5-8-PERSON"]').waitFor();
      }
      await snap(page, `ar-workbench-${type}`);
      expect(id.length).toBeGreaterThan(0);
      await page.locator('[data-testid=skip]').click();
      await after(id);
    }
    await page.locator('[data-testid=language-picker]').selectOption('en');
  });
});

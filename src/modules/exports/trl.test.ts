import { describe, expect, it } from 'vitest';
import { trlPreferenceRecords, trlUnpairedRecord, sftRecords } from './trl.ts';
import { buildAnswer, buildTask, comparisonTask, encodeForTest, PROMPT, RESPONSE_A, RESPONSE_B } from './test-helpers.ts';

describe('trl_preference', () => {
  it('takes chosen and rejected from the winning response id, with the prompt as messages', () => {
    const [record] = trlPreferenceRecords(comparisonTask('b'));
    expect(Object.keys(record)).toEqual(['prompt', 'chosen', 'rejected']);
    expect(record.prompt).toEqual(PROMPT);
    expect(record.chosen).toEqual([{ role: 'assistant', content: 'It is a process.' }]);
    expect(record.rejected).toEqual([{ role: 'assistant', content: 'Light to sugar.' }]);
  });

  it('ignores the screen order: a vote shown as [b, a] for a still makes a chosen', () => {
    // A reviewer's fix stores the whole vote, display order included; only the id counts.
    const task = buildTask('comparison', {
      params: { prompt: PROMPT, responses: [RESPONSE_A, RESPONSE_B] },
      response: { winner: 'a', display_order: ['b', 'a'], confidence: 1 },
    });
    const [record] = trlPreferenceRecords(task);
    expect(record.chosen).toEqual(RESPONSE_A.messages);
    expect(record.rejected).toEqual(RESPONSE_B.messages);
  });

  it('drops ties and both_bad unless asked, then keeps them with an outcome', () => {
    expect(trlPreferenceRecords(comparisonTask('tie'))).toEqual([]);
    expect(trlPreferenceRecords(comparisonTask('both_bad'))).toEqual([]);
    const [tie] = trlPreferenceRecords(comparisonTask('tie'), { include_ties: true });
    expect(tie).toMatchObject({ chosen: RESPONSE_A.messages, rejected: RESPONSE_B.messages, outcome: 'tie' });
    const [bad] = trlPreferenceRecords(comparisonTask('both_bad'), { include_ties: true });
    expect(bad.outcome).toBe('both_bad');
    expect(trlPreferenceRecords(comparisonTask('a'), { include_ties: true })[0].outcome).toBe('preferred');
  });

  it('expands a ranking into every ordered pair across groups, ties within a group only when asked', () => {
    const r = (id: string) => ({ id, messages: [{ role: 'assistant', content: `answer ${id}` }] });
    const task = buildTask('ranking', { params: { prompt: PROMPT, responses: [r('r1'), r('r2'), r('r3')] }, response: { ranking: [['r3'], ['r2', 'r1']], confidence: null } });
    const pairs = trlPreferenceRecords(task).map((p) => [p.chosen[0].content, p.rejected[0].content]);
    expect(pairs).toEqual([
      ['answer r3', 'answer r1'],
      ['answer r3', 'answer r2'],
    ]);
    const withTies = trlPreferenceRecords(task, { include_ties: true });
    expect(withTies).toHaveLength(3);
    expect(withTies.filter((p) => p.outcome === 'tie').map((p) => [p.chosen[0].content, p.rejected[0].content])).toEqual([['answer r1', 'answer r2']]);
  });

  it('reports a task without an answer or with an unknown winner instead of guessing', () => {
    const problems: string[] = [];
    const report = (_id: string, code: string) => problems.push(code);
    expect(trlPreferenceRecords(comparisonTask(null), {}, report)).toEqual([]);
    expect(trlPreferenceRecords(comparisonTask('zzz'), {}, report)).toEqual([]);
    expect(problems).toEqual(['no_answer', 'unknown_response']);
  });

  it('writes UTF-8 JSON lines, each ending in LF', async () => {
    const out = await encodeForTest('trl_preference', [{ task: comparisonTask('a', { prompt: [{ role: 'user', content: 'Ça va? 你好 👋' }] }), answers: [] }, { task: comparisonTask('tie'), answers: [] }]);
    const text = out.text('export.jsonl');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).prompt[0].content).toBe('Ça va? 你好 👋');
    expect(out.rows).toBe(1);
  });
});

describe('trl_unpaired', () => {
  it('writes prompt, completion and the aggregated boolean label', () => {
    const task = buildTask('binaryfeedback', { params: { prompt: PROMPT, completion: [{ role: 'assistant', content: 'Paris.' }] }, response: { label: false, confidence: 0.93 } });
    const record = trlUnpairedRecord(task);
    expect(record).toEqual({ prompt: PROMPT, completion: [{ role: 'assistant', content: 'Paris.' }], label: false });
    expect(Object.keys(record as object)).toEqual(['prompt', 'completion', 'label']);
  });
});

describe('trl_sft', () => {
  it('writes one {messages} per answer: the prompt followed by the written completion', () => {
    const task = buildTask('sft', { params: { prompt: PROMPT }, response: null });
    const answers = [buildAnswer({ completion: [{ role: 'assistant', content: 'one' }] }), buildAnswer({ completion: [{ role: 'assistant', content: 'two' }] })];
    expect(sftRecords(task, answers)).toEqual([{ messages: [...PROMPT, { role: 'assistant', content: 'one' }] }, { messages: [...PROMPT, { role: 'assistant', content: 'two' }] }]);
  });

  it("uses only the reviewer's fix when a reviewer rewrote the answer", () => {
    const task = buildTask('sft', {
      params: { prompt: PROMPT },
      response: { completion: [{ role: 'assistant', content: 'fixed' }], confidence: 1 },
      result: { answer: {}, confidence: 1, method: 'review_fix', n_answers: 2, agreement: null, decided_by: { kind: 'reviewer', user_id: 3 } },
    });
    expect(sftRecords(task, [buildAnswer({ completion: [{ role: 'assistant', content: 'draft' }] })])).toEqual([{ messages: [...PROMPT, { role: 'assistant', content: 'fixed' }] }]);
  });
});

import { describe, expect, it } from 'vitest';
import { openaiDpoRecords, openaiSftRecords } from './openai.ts';
import { buildAnswer, buildTask, comparisonTask, PROMPT, RESPONSE_A, RESPONSE_B } from './test-helpers.ts';

describe('openai_dpo', () => {
  it('writes input.messages, preferred_output and non_preferred_output by response id', () => {
    const [record] = openaiDpoRecords(comparisonTask('b'));
    expect(record).toEqual({ input: { messages: PROMPT }, preferred_output: RESPONSE_B.messages, non_preferred_output: RESPONSE_A.messages });
    expect(Object.keys(record)).toEqual(['input', 'preferred_output', 'non_preferred_output']);
  });

  it('leaves out ties and both_bad, which carry no preference', () => {
    expect(openaiDpoRecords(comparisonTask('tie'))).toEqual([]);
    expect(openaiDpoRecords(comparisonTask('both_bad'))).toEqual([]);
  });
});

describe('openai_sft', () => {
  it('writes {messages} with the prompt and the completion, like the chat fine-tuning format', () => {
    const task = buildTask('sft', { params: { prompt: [{ role: 'system', content: 'Be brief.' }, ...PROMPT] }, response: null });
    const [record] = openaiSftRecords(task, [buildAnswer({ completion: [{ role: 'assistant', content: 'Sunlight to sugar.' }] })]);
    expect(record).toEqual({ messages: [{ role: 'system', content: 'Be brief.' }, ...PROMPT, { role: 'assistant', content: 'Sunlight to sugar.' }] });
  });
});

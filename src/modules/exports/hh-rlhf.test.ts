import { describe, expect, it } from 'vitest';
import { hhRlhfRecords, hhTranscript } from './hh-rlhf.ts';
import { comparisonTask } from './test-helpers.ts';

describe('hh_rlhf', () => {
  it('renders the prompt and each response as a Human/Assistant transcript', () => {
    const [record] = hhRlhfRecords(comparisonTask('a'));
    expect(record).toEqual({
      chosen: '\n\nHuman: Explain photosynthesis.\n\nAssistant: Light to sugar.',
      rejected: '\n\nHuman: Explain photosynthesis.\n\nAssistant: It is a process.',
    });
  });

  it('keeps multi-turn order and folds a system message into the next human turn', () => {
    const text = hhTranscript([
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'Bye' },
      { role: 'assistant', content: 'See you' },
    ]);
    expect(text).toBe('\n\nHuman: Be kind.\n\nHi\n\nAssistant: Hello\n\nHuman: Bye\n\nAssistant: See you');
  });

  it('leaves out ties', () => {
    expect(hhRlhfRecords(comparisonTask('tie'))).toEqual([]);
  });
});

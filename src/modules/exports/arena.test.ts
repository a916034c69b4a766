import { describe, expect, it } from 'vitest';
import { arenaBattles } from './arena.ts';
import { buildAnswer, comparisonTask, encodeForTest, PROMPT, RESPONSE_A, RESPONSE_B } from './test-helpers.ts';

const project = { languages: ['en'] };

describe('arena_battles', () => {
  it('writes one battle per vote with the exact Arena fields', () => {
    const vote = buildAnswer({ winner: 'a', display_order: ['a', 'b'] }, { worker_id: 42, submitted_at: Date.UTC(2026, 0, 5, 10, 0, 0, 500) });
    const [battle] = arenaBattles(comparisonTask('a'), [vote], project);
    expect(Object.keys(battle)).toEqual(['model_a', 'model_b', 'winner', 'judge', 'tstamp', 'language', 'conversation_a', 'conversation_b']);
    expect(battle).toEqual({
      model_a: 'model-alpha',
      model_b: 'model-beta',
      winner: 'model_a',
      judge: 'worker_42',
      tstamp: Date.UTC(2026, 0, 5, 10, 0, 0, 500) / 1000,
      language: 'en',
      conversation_a: [...PROMPT, ...RESPONSE_A.messages],
      conversation_b: [...PROMPT, ...RESPONSE_B.messages],
    });
  });

  it('reads the winner from the response id, never from the screen side', () => {
    // Shown as [b, a]: "a" was on the right of the screen, and is still model_a's win.
    const votes = [buildAnswer({ winner: 'a', display_order: ['b', 'a'] }), buildAnswer({ winner: 'b', display_order: ['b', 'a'] }), buildAnswer({ winner: 'b', display_order: ['a', 'b'] })];
    expect(arenaBattles(comparisonTask('b'), votes, project).map((b) => b.winner)).toEqual(['model_a', 'model_b', 'model_b']);
    expect(arenaBattles(comparisonTask('b'), votes, project).every((b) => b.model_a === 'model-alpha' && b.model_b === 'model-beta')).toBe(true);
  });

  it('writes ties as tie and both-bad as "tie (bothbad)"', () => {
    const battles = arenaBattles(comparisonTask('tie'), [buildAnswer({ winner: 'tie', display_order: ['a', 'b'] }), buildAnswer({ winner: 'both_bad', display_order: ['b', 'a'] })], project);
    expect(battles.map((b) => b.winner)).toEqual(['tie', 'tie (bothbad)']);
  });

  it('names an unnamed model by its response id and takes the language from the task when it has one', () => {
    const task = comparisonTask('a', { responses: [{ id: 'left', messages: [{ role: 'assistant', content: 'x' }] }, { id: 'right', model: 'm2', messages: [{ role: 'assistant', content: 'y' }] }], language: 'fr' });
    const [battle] = arenaBattles(task, [buildAnswer({ winner: 'right', display_order: ['left', 'right'] })], { languages: ['en', 'de'] });
    expect([battle.model_a, battle.model_b, battle.winner, battle.language]).toEqual(['left', 'm2', 'model_b', 'fr']);
  });

  it('counts every vote as a line', async () => {
    const out = await encodeForTest('arena_battles', [{ task: comparisonTask('a'), answers: [buildAnswer({ winner: 'a' }), buildAnswer({ winner: 'b' }), buildAnswer({ winner: 'tie' })] }], { type: 'comparison' });
    expect(out.text('export.jsonl').trimEnd().split('\n').map((l) => JSON.parse(l).winner)).toEqual(['model_a', 'model_b', 'tie']);
    expect(out.rows).toBe(3);
  });
});

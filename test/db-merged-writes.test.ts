import { describe, expect, it } from 'vitest';
import { mergedWrites } from '../src/db/merged-writes.ts';

// The shapes a submit holds: its end (two tables) and its time segment (two others).
const end = {
  text: 'with "ended" as (update "assignments" set "status" = $1 where "id" = $2) update "tasks" set "answers_count" = "answers_count" + $3 where "id" = $4',
  values: ['submitted', 7, 1, 9],
};
const segment = {
  text: 'with "segment" as (insert into "time_segments" ("assignment_id", "ms") values ($1, $2)) update "ledger_accounts" set "next_open_week" = $3 where "worker_id" = $4',
  values: [7, 1500, '2026-W49', 3],
};

describe('merging held writes into one statement', () => {
  it('makes writes on disjoint tables one statement, placeholders moved on and values in order', () => {
    expect(mergedWrites([end, segment])).toEqual([
      {
        text:
          'WITH "ended" as (update "assignments" set "status" = $1 where "id" = $2), ' +
          'tessera_write_0 AS (update "tasks" set "answers_count" = "answers_count" + $3 where "id" = $4), ' +
          '"segment" as (insert into "time_segments" ("assignment_id", "ms") values ($5, $6)) ' +
          'update "ledger_accounts" set "next_open_week" = $7 where "worker_id" = $8',
        values: ['submitted', 7, 1, 9, 7, 1500, '2026-W49', 3],
      },
    ]);
  });

  it('leaves quoted text alone: a literal that looks like a placeholder or a parenthesis', () => {
    const odd = { text: `update "notes" set "body" = '$1 (it''s' where "id" = $1 and "tag" = ')'`, values: [5] };
    const [merged] = mergedWrites([segment, odd]);
    expect(merged.text.endsWith(`update "notes" set "body" = '$1 (it''s' where "id" = $5 and "tag" = ')'`)).toBe(true);
    expect(merged.values).toEqual([...segment.values, 5]);
  });

  it('keeps writes that share a table apart and in order, so each sees the one before', () => {
    const result = { text: 'update "tasks" set "status" = $1 where "id" = $2', values: ['completed', 9] };
    const stripes = { text: 'insert into "project_task_count_stripes" ("project_id", "n") values ($1, $2)', values: [1, 1] };
    const out = mergedWrites([end, result, stripes]);
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(end);
    expect(out[1].text).toBe('WITH tessera_write_0 AS (update "tasks" set "status" = $1 where "id" = $2) insert into "project_task_count_stripes" ("project_id", "n") values ($3, $4)');
  });

  it('counts every table a write reads as well as the one it changes', () => {
    const readsTasks = { text: 'insert into "task_tags" ("task_id", "tag") select "id", $1 from "tasks" where "project_id" = $2', values: ['x', 1] };
    expect(mergedWrites([end, readsTasks])).toEqual([end, readsTasks]);
    const joinsAssignments = { text: 'update "ledger_entries" set "n" = 1 from "projects" p, "assignments" a where a.id = $1', values: [1] };
    expect(mergedWrites([end, joinsAssignments])).toEqual([end, joinsAssignments]);
  });

  it('sends alone what it cannot take apart: a read, a recursive WITH, a clash of WITH names, a name it gives merged parts', () => {
    const read = { text: 'select 1 from "users" where "id" = $1', values: [1] };
    const recursive = { text: 'with recursive r as (select 1) insert into "a" select * from r', values: [] };
    const sameName = { text: 'with "ended" as (update "sessions" set "expires_at" = $1) delete from "rate_windows" where "key" = $2', values: [1, 'k'] };
    expect(mergedWrites([end, read, segment])).toEqual([end, read, segment]);
    expect(mergedWrites([recursive, segment])).toEqual([recursive, segment]);
    expect(mergedWrites([end, sameName])).toEqual([end, sameName]);
    const ours = { text: 'with tessera_write_0 as (delete from "sessions" where "id" = $1) delete from "rate_windows" where "key" = $2', values: [1, 'k'] };
    expect(mergedWrites([ours, segment])).toEqual([ours, segment]);
    expect(mergedWrites([segment, ours])).toEqual([segment, ours]);
  });
});

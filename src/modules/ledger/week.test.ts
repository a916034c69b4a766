import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { segmentsForSpan } from './assignment-pay.ts';
import { addDays, isTimeZone, localDate, splitByWeeks, startOfLocalDate, weekByKey, weekKeyOf, weekOf } from './week.ts';

describe('workweeks in the worker\'s time zone', () => {
  it('knows a zone from a name that is none, also when asked again', () => {
    for (let i = 0; i < 2; i++) {
      expect(isTimeZone('Asia/Tokyo')).toBe(true);
      expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
      expect(isTimeZone('')).toBe(false);
    }
  });

  it('names a week by the local date it starts on', () => {
    // Monday 2026-01-05 09:00 UTC is still Sunday 4th in Los Angeles.
    const at = Date.UTC(2026, 0, 5, 7, 0);
    expect(weekKeyOf(at, 'UTC', 1)).toBe('2026-01-05');
    expect(weekKeyOf(at, 'America/Los_Angeles', 1)).toBe('2025-12-29');
    expect(weekKeyOf(at, 'America/Los_Angeles', 0)).toBe('2026-01-04');
    expect(weekKeyOf(at, 'Asia/Tokyo', 1)).toBe('2026-01-05');
  });

  it('finds local midnight, also across a DST change', () => {
    expect(startOfLocalDate('2026-01-05', 'UTC')).toBe(Date.UTC(2026, 0, 5));
    expect(startOfLocalDate('2026-01-05', 'Asia/Tokyo')).toBe(Date.UTC(2026, 0, 4, 15));
    // Europe/Paris goes to summer time on Sunday 2026-03-29: that week has 167 hours.
    const week = weekByKey('2026-03-23', 'Europe/Paris');
    expect(week.endAt - week.startAt).toBe(167 * 3_600_000);
    expect(localDate(week.endAt, 'Europe/Paris')).toBe('2026-03-30');
  });

  it('gives every instant the date Intl gives it, in order and out of order, across DST changes', () => {
    const zones = ['Europe/Paris', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Havana'];
    const formats = new Map(zones.map((tz) => [tz, new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })]));
    const isoDate = (ms: number, tz: string) => formats.get(tz)?.format(ms);
    // Walking forward in 7-minute steps meets every midnight and DST change of 2026 one step either side.
    for (const tz of zones) {
      for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 7 * 60_000) {
        if (localDate(ms, tz) !== isoDate(ms, tz)) expect(localDate(ms, tz), `${tz} at ${new Date(ms).toISOString()}`).toBe(isoDate(ms, tz));
      }
    }
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }), fc.constantFrom(...zones), (ms, tz) => {
        expect(localDate(ms, tz)).toBe(isoDate(ms, tz));
        expect(localDate(ms - 1, tz)).toBe(isoDate(ms - 1, tz));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives every instant the week its local date is in, in order and out of order, across DST changes', () => {
    const zones = ['Europe/Paris', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
    const formats = new Map(zones.map((tz) => [tz, new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })]));
    const expected = (ms: number, tz: string, startDay: number) => {
      const date = formats.get(tz)?.format(ms) as string;
      const back = (new Date(`${date}T00:00:00Z`).getUTCDay() - startDay + 7) % 7;
      return addDays(date, -back);
    };
    for (const tz of zones) {
      for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 37 * 60_000) {
        const startDay = 1;
        if (weekKeyOf(ms, tz, startDay) !== expected(ms, tz, startDay)) expect(weekKeyOf(ms, tz, startDay), `${tz} at ${new Date(ms).toISOString()}`).toBe(expected(ms, tz, startDay));
      }
    }
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }), fc.constantFrom(...zones), fc.integer({ min: 0, max: 6 }), (ms, tz, day) => {
        expect(weekKeyOf(ms, tz, day)).toBe(expected(ms, tz, day));
        expect(weekKeyOf(ms - 1, tz, day)).toBe(expected(ms - 1, tz, day));
        // Either side of both ends of its week, each asked right after an instant of the other side.
        const week = weekOf(ms, tz, day);
        for (const edge of [week.startAt, week.endAt]) {
          for (const at of [edge, edge - 1, edge, edge - 1]) expect(weekKeyOf(at, tz, day)).toBe(expected(at, tz, day));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('cuts spans at week boundaries without losing a millisecond', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 0, 1) }),
        fc.integer({ min: 0, max: 20 * 86_400_000 }),
        fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland'),
        fc.integer({ min: 0, max: 6 }),
        (start, length, tz, day) => {
          const pieces = splitByWeeks(start, start + length, tz, day);
          expect(pieces[0].startAt).toBe(start);
          expect(pieces[pieces.length - 1].endAt).toBe(start + length);
          for (let i = 1; i < pieces.length; i++) {
            expect(pieces[i].startAt).toBe(pieces[i - 1].endAt);
            expect(pieces[i].key).toBe(addDays(pieces[i - 1].key, 7));
          }
          for (const p of pieces) expect(weekKeyOf(p.startAt, tz, day)).toBe(p.key);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('shares an assignment\'s time out over weeks so it still adds up (time conservation)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 1) }),
        fc.integer({ min: 0, max: 3 * 86_400_000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        (claimedAt, length, a, b) => {
          const active = Math.floor((length * a) / 2000);
          const shortIdle = Math.floor(((length - active) * b) / 1000);
          const longIdle = length - active - shortIdle;
          const segs = segmentsForSpan({ claimedAt, endedAt: claimedAt + length, activeMs: active, shortIdleMs: shortIdle, longIdleMs: longIdle }, 'America/Sao_Paulo', 1);
          expect(segs.reduce((s, x) => s + x.ms, 0)).toBe(length);
          expect(segs.filter((s) => s.category === 'task_active').reduce((s, x) => s + x.ms, 0)).toBe(active);
          expect(segs.filter((s) => s.category === 'long_idle').reduce((s, x) => s + x.ms, 0)).toBe(longIdle);
        },
      ),
      { numRuns: 200 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applySignal, closeTime, SUBMIT_ACTIVE_WINDOW_MS, type TimeState } from './time-accounting.ts';

const start = (claimedAt: number, graceMs = 300_000): TimeState => ({ activeMs: 0, shortIdleMs: 0, longIdleMs: 0, idleStreakMs: 0, lastSignalAt: claimedAt, idleGraceMs: graceMs });

describe('time accounting', () => {
  it('counts heartbeats with input as active time', () => {
    let s = start(0);
    for (let t = 15_000; t <= 60_000; t += 15_000) s = applySignal(s, t, { visible: true, inputActive: true });
    expect(s).toMatchObject({ activeMs: 60_000, shortIdleMs: 0, longIdleMs: 0 });
  });

  it('counts idle up to the grace, then records the rest as long idle', () => {
    let s = start(0, 60_000);
    for (let t = 15_000; t <= 150_000; t += 15_000) s = applySignal(s, t, { visible: true, inputActive: false });
    expect(s).toMatchObject({ activeMs: 0, shortIdleMs: 60_000, longIdleMs: 90_000 });
    // Input resets the streak: the next idle period gets a fresh grace.
    s = applySignal(s, 165_000, { visible: true, inputActive: true });
    s = applySignal(s, 180_000, { visible: false, inputActive: false });
    expect(s).toMatchObject({ activeMs: 15_000, shortIdleMs: 75_000 });
  });

  it('treats a submit as input for the last two heartbeat periods only', () => {
    const s = closeTime(start(0, 60_000), 100_000, 'submit');
    expect(s.activeMs).toBe(SUBMIT_ACTIVE_WINDOW_MS);
    expect(s.shortIdleMs + s.longIdleMs).toBe(100_000 - SUBMIT_ACTIVE_WINDOW_MS);
  });

  it('ignores a signal older than the last one', () => {
    const s = applySignal(start(0), 30_000, { visible: true, inputActive: true });
    expect(applySignal(s, 20_000, { visible: true, inputActive: true })).toEqual(s);
  });

  it('conserves time: active + short idle + long idle = end - claim, for any signal stream', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 60_000, max: 1_200_000 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 600_000 }), visible: fc.boolean(), inputActive: fc.boolean() }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 900_000 }),
        fc.constantFrom<'submit' | 'idle'>('submit', 'idle'),
        (claimedAt, grace, signals, tail, how) => {
          let s = start(claimedAt, grace);
          let t = claimedAt;
          for (const sig of signals) {
            t += sig.gap;
            s = applySignal(s, t, sig);
          }
          const end = t + tail;
          s = closeTime(s, end, how);
          expect(s.activeMs + s.shortIdleMs + s.longIdleMs).toBe(end - claimedAt);
          expect(s.shortIdleMs).toBeGreaterThanOrEqual(0);
          expect(s.longIdleMs).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

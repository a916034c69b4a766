/**
 * Turning activity signals into counted time (FAIRWORK.md, "Time"). Pure: the state is the
 * assignment's running totals, each signal closes the gap since the previous one.
 */
export interface TimeState {
  activeMs: number;
  shortIdleMs: number;
  longIdleMs: number;
  /** Idle time since the last input: idle counts only up to the grace within one streak. */
  idleStreakMs: number;
  lastSignalAt: number;
  idleGraceMs: number;
}

/** How long after the last heartbeat a submit still counts as active work (two heartbeat periods). */
export const SUBMIT_ACTIVE_WINDOW_MS = 30_000;

function addIdle(state: TimeState, gap: number): TimeState {
  const counted = Math.min(gap, Math.max(0, state.idleGraceMs - state.idleStreakMs));
  return { ...state, shortIdleMs: state.shortIdleMs + counted, longIdleMs: state.longIdleMs + gap - counted, idleStreakMs: state.idleStreakMs + gap };
}

/**
 * Closes the gap up to `at` with what a heartbeat reports about it: visible with input means
 * active work; anything else is idle, counted up to the grace and recorded (unpaid) beyond it.
 * A signal from before the last one (a late, reordered request) changes nothing.
 */
export function applySignal(state: TimeState, at: number, signal: { visible: boolean; inputActive: boolean }): TimeState {
  const gap = at - state.lastSignalAt;
  if (gap <= 0) return state;
  if (signal.visible && signal.inputActive) return { ...state, activeMs: state.activeMs + gap, idleStreakMs: 0, lastSignalAt: at };
  return { ...addIdle(state, gap), lastSignalAt: at };
}

/**
 * Closes the assignment at `at`. A submit is an input: up to SUBMIT_ACTIVE_WINDOW_MS of the final
 * gap is active, the rest idle. Expiry, skip without input and release close the gap as idle.
 */
export function closeTime(state: TimeState, at: number, how: 'submit' | 'idle'): TimeState {
  const gap = at - state.lastSignalAt;
  if (gap <= 0) return state;
  if (how === 'idle') return { ...addIdle(state, gap), lastSignalAt: at };
  const idle = Math.max(0, gap - SUBMIT_ACTIVE_WINDOW_MS);
  const idled = addIdle(state, idle);
  return { ...idled, activeMs: idled.activeMs + gap - idle, idleStreakMs: 0, lastSignalAt: at };
}

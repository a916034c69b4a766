/*
 * Paid time outside a task (FAIRWORK rule 3): while `active`, a session of `category` (reading a
 * project's instructions before starting, say) is open on the server, with the same heartbeats as an
 * assignment, so the time is recorded and paid at least the floor. Best effort: a failure to record
 * never blocks reading.
 */
import { useEffect } from 'react';
import { api } from './api.ts';
import { HEARTBEAT_MS, trackInput } from './work.ts';

export function useActivity(category: 'instructions' | 'training' | 'qualification', project: string, active: boolean): void {
  useEffect(() => {
    if (!active) return;
    let id: string | undefined;
    let ended = false;
    const tracker = trackInput();
    const beat = () => {
      if (id) void api(`/work/activities/${id}/heartbeat`, { method: 'POST', body: { visible: document.visibilityState === 'visible', input_active: tracker.activeWithin(HEARTBEAT_MS) } }).catch(() => undefined);
    };
    api<{ activity: { id: string } }>('/work/activities', { method: 'POST', body: { category, project } }).then(
      ({ activity }) => {
        id = activity.id;
        if (ended) void api(`/work/activities/${id}/end`, { method: 'POST', body: {} }).catch(() => undefined);
      },
      () => undefined,
    );
    const timer = window.setInterval(beat, HEARTBEAT_MS);
    document.addEventListener('visibilitychange', beat);
    return () => {
      ended = true;
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', beat);
      tracker.stop();
      if (id) void api(`/work/activities/${id}/end`, { method: 'POST', body: {} }).catch(() => undefined);
    };
  }, [category, project, active]);
}

export { type CompletionHook, claim, estimateOf, expireDue, heartbeat, onTaskCompleted, presentWorkTask, skip, submit } from './assignment.service.ts';
export { applySignal, closeTime, type TimeState } from './time-accounting.ts';
export { workRoutes } from './work.routes.ts';

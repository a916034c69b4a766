export { claim, estimateOf, expireDue, heartbeat, presentWorkTask, skip, submit } from './assignment.service.ts';
export { applySignal, closeTime, type TimeState } from './time-accounting.ts';
export { workRoutes } from './work.routes.ts';

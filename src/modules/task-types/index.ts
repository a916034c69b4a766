export { findTaskType, REFUSAL_LABELS, type TaskTypeDefinition, taskTypes } from '../../shared/task-types.ts';
export { checkProjectParams, checkResponse, checkTaskParams, type SchemaProblem } from './validation.ts';

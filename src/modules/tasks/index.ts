export { type CompletionHook, onTaskCompleted, taskCompletedIn } from './completion.ts';
export { type ImportProgress, type ImportSummary, importTasks } from './import.service.ts';
export { formatFrom, type ImportFormat } from './parsers.ts';
export { buildTaskDraft, isProblem, type TaskDraft } from './task-input.ts';
export { insertTaskDrafts } from './tasks.repository.ts';
export { tasksRoutes } from './tasks.routes.ts';
export { cancelTaskFor, createTask, getTaskFor, listTasksFor, presentTask } from './tasks.service.ts';

export {
  bumpTaskCount,
  countTasksByStatus,
  findProjectById,
  findProjectByName,
  type PaySettings,
  type Project,
  type ProjectStatus,
  QUALITY_DEFAULTS,
  type QualitySettings,
  type ReviewPolicy,
} from './projects.repository.ts';
export { presentProject, ProjectCreateBody, projectsRoutes } from './projects.routes.ts';
export { createProject, getProjectFor, listProjectsFor, PROJECT_DEFAULTS, type ProjectInput, setProjectParams } from './projects.service.ts';

export {
  bumpTaskCount,
  countTasksByStatus,
  findProjectAsOf,
  rememberedProject,
  rememberProject,
  findProjectById,
  findProjectByName,
  moveTaskCount,
  type PaySettings,
  type Project,
  type ProjectStatus,
  PRELABEL_DEFAULTS,
  type PrelabelSettings,
  QUALITY_DEFAULTS,
  type QualitySettings,
  type ReviewPolicy,
  toProject,
} from './projects.repository.ts';
export { presentProject, ProjectCreateBody, projectsRoutes } from './projects.routes.ts';
export { createProject, getProjectFor, listProjectsFor, PROJECT_DEFAULTS, type ProjectInput, setProjectParams } from './projects.service.ts';

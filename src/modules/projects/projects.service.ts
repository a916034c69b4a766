import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/index.ts';
import { AppError } from '../../server/errors.ts';
import type { Principal } from '../accounts/index.ts';
import { checkProjectParams, findTaskType } from '../task-types/index.ts';
import {
  findProjectByName,
  insertProject,
  listProjectRows,
  type PaySettings,
  type Project,
  type ProjectStatus,
  type ProjectValues,
  PRELABEL_DEFAULTS,
  type PrelabelSettings,
  QUALITY_DEFAULTS,
  type QualitySettings,
  type ReviewPolicy,
  updateProjectRow,
} from './projects.repository.ts';

/** What a requester sends to create a project or change one (snake_case, as on the wire). */
export interface ProjectInput {
  name?: string;
  type?: string;
  params?: Record<string, unknown>;
  instructions?: Record<string, string>;
  overlap?: { min: number; max?: number };
  priority?: number;
  gold_rate?: number;
  review_policy?: ReviewPolicy;
  pay?: Partial<PaySettings>;
  lease_seconds?: number;
  idle_grace_seconds?: number;
  per_worker_cap?: number | null;
  languages?: string[];
  content_warnings?: string[];
  required_skills?: string[];
  quality?: Partial<QualitySettings>;
  prelabels?: Partial<PrelabelSettings>;
  status?: ProjectStatus;
}

export const PROJECT_DEFAULTS = {
  overlap: { min: 1, max: 1 },
  priority: 0,
  goldRate: 0,
  reviewPolicy: { mode: 'none', deadline_days: 3 } as ReviewPolicy,
  pay: { currency: 'USD', piece_rate_minor: 0, promised_hourly_minor: 0, estimated_seconds: 60 } as PaySettings,
  // FAIRWORK.md: a lease of 10 minutes, idle grace of 5 minutes (settable 1-20).
  leaseSeconds: 600,
  idleGraceSeconds: 300,
};

function merge(base: ProjectValues, input: ProjectInput, replaceParams: boolean): ProjectValues {
  const overlapMin = input.overlap?.min ?? base.overlapMin;
  const overlapMax = input.overlap ? (input.overlap.max ?? Math.max(input.overlap.min, base.overlapMax)) : base.overlapMax;
  return {
    ...base,
    params: input.params ? (replaceParams ? input.params : { ...base.params, ...input.params }) : base.params,
    instructions: input.instructions ? { ...base.instructions, ...input.instructions } : base.instructions,
    overlapMin,
    overlapMax,
    priority: input.priority ?? base.priority,
    goldRate: input.gold_rate ?? base.goldRate,
    reviewPolicy: input.review_policy ?? base.reviewPolicy,
    pay: input.pay ? { ...base.pay, ...input.pay } : base.pay,
    leaseSeconds: input.lease_seconds ?? base.leaseSeconds,
    idleGraceSeconds: input.idle_grace_seconds ?? base.idleGraceSeconds,
    perWorkerCap: input.per_worker_cap === undefined ? base.perWorkerCap : input.per_worker_cap,
    languages: input.languages ?? base.languages,
    contentWarnings: input.content_warnings ?? base.contentWarnings,
    requiredSkills: input.required_skills ?? base.requiredSkills,
    quality: input.quality ? { ...base.quality, ...input.quality } : base.quality,
    prelabels: input.prelabels ? { ...base.prelabels, ...input.prelabels } : base.prelabels,
    status: input.status ?? base.status,
  };
}

function check(values: ProjectValues): void {
  const def = findTaskType(values.type);
  if (!def) throw new AppError('unknown_task_type', `No task type "${values.type}"`);
  const problem = checkProjectParams(def, values.params);
  if (problem) throw new AppError('invalid_project_params', `params${problem.path} ${problem.message.replace(/^\S+ /, '')}`, problem);
  if (values.overlapMax < values.overlapMin) throw new AppError('invalid_project_params', 'overlap.max must be at least overlap.min');
  if (values.prelabels.endpoint_url !== null && !/^https?:\/\//.test(values.prelabels.endpoint_url)) throw new AppError('invalid_project_params', 'prelabels.endpoint_url must be an http(s) URL');
}

/** Creates a project owned by the caller; throws project_exists, unknown_task_type, invalid_project_params. */
export async function createProject(db: Kysely<DB>, owner: Principal, input: ProjectInput & { name: string; type: string }, now: number): Promise<Project> {
  const base: ProjectValues = {
    ownerId: owner.id,
    name: input.name,
    type: input.type,
    params: {},
    instructions: {},
    overlapMin: PROJECT_DEFAULTS.overlap.min,
    overlapMax: PROJECT_DEFAULTS.overlap.max,
    priority: PROJECT_DEFAULTS.priority,
    goldRate: PROJECT_DEFAULTS.goldRate,
    reviewPolicy: PROJECT_DEFAULTS.reviewPolicy,
    pay: PROJECT_DEFAULTS.pay,
    leaseSeconds: PROJECT_DEFAULTS.leaseSeconds,
    idleGraceSeconds: PROJECT_DEFAULTS.idleGraceSeconds,
    perWorkerCap: null,
    languages: [],
    contentWarnings: [],
    requiredSkills: [],
    quality: QUALITY_DEFAULTS,
    prelabels: PRELABEL_DEFAULTS,
    status: 'active',
  };
  const values = merge(base, input, true);
  check(values);
  const project = await insertProject(db, values, now);
  if (!project) throw new AppError('project_exists', `A project named "${input.name}" already exists`);
  return project;
}

/**
 * The project with this name as the caller may see it: its owner and admins see it, anyone else
 * gets project_not_found (never forbidden, so names of other accounts' projects do not leak).
 */
export async function getProjectFor(db: Kysely<DB> | Transaction<DB>, principal: Principal, name: string): Promise<Project> {
  const project = await findProjectByName(db, name);
  if (!project || (project.ownerId !== principal.id && principal.role !== 'admin')) throw new AppError('project_not_found', `No project named "${name}"`);
  return project;
}

/** Changes a project's settings; params are merged unless `replaceParams`. */
export async function setProjectParams(db: Kysely<DB>, principal: Principal, name: string, input: ProjectInput, replaceParams: boolean, now: number): Promise<Project> {
  const project = await getProjectFor(db, principal, name);
  const values = merge(project, input, replaceParams);
  check(values);
  return updateProjectRow(db, project.id, values, now);
}

export async function listProjectsFor(db: Kysely<DB>, principal: Principal): Promise<Project[]> {
  return listProjectRows(db, principal.role === 'admin' ? undefined : principal.id);
}

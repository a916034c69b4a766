import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { type DB, type ProjectsTable, prepared, writeBehind } from '../../db/index.ts';

export type ProjectStatus = ProjectsTable['status'];

export interface ReviewPolicy {
  mode: 'none' | 'all' | 'sample' | 'low_confidence';
  sample_rate?: number;
  confidence_below?: number;
  deadline_days?: number;
}

export interface PaySettings {
  currency: string;
  piece_rate_minor: number;
  promised_hourly_minor: number;
  estimated_seconds: number;
}

export interface QualitySettings {
  /** Posterior of the leading answer at which a task stops collecting answers (dynamic overlap). */
  target_confidence: number;
  /** Aggregation for the full re-estimation: ds, mv, onecoin, glad, wawa. */
  method: string;
  /** Beta prior on a worker's accuracy before gold evidence. */
  prior: { alpha: number; beta: number };
  /** New answers needed before the project's full re-estimation runs again. */
  reestimate_every: number;
  /** Include each worker's answer under response.annotator_responses. */
  annotator_responses: boolean;
}

// Beta(4, 1): a worker is assumed better than chance (mean 0.8) on the evidence of five answers,
// so a handful of gold answers already outweighs the assumption.
export const QUALITY_DEFAULTS: QualitySettings = { target_confidence: 0.95, method: 'ds', prior: { alpha: 4, beta: 1 }, reestimate_every: 200, annotator_responses: false };

export interface PrelabelSettings {
  /** Show model predictions to workers as a starting point. */
  show: boolean;
  /** An HTTP endpoint that receives each new task and returns {predictions}; called by a job. */
  endpoint_url: string | null;
  timeout_ms: number;
}

export const PRELABEL_DEFAULTS: PrelabelSettings = { show: false, endpoint_url: null, timeout_ms: 10_000 };

export interface Project {
  id: number;
  ownerId: number;
  name: string;
  type: string;
  params: Record<string, unknown>;
  instructions: Record<string, string>;
  overlapMin: number;
  overlapMax: number;
  priority: number;
  goldRate: number;
  reviewPolicy: ReviewPolicy;
  pay: PaySettings;
  leaseSeconds: number;
  idleGraceSeconds: number;
  perWorkerCap: number | null;
  languages: string[];
  contentWarnings: string[];
  requiredSkills: string[];
  quality: QualitySettings;
  prelabels: PrelabelSettings;
  status: ProjectStatus;
  createdAt: number;
  updatedAt: number;
}

export type ProjectValues = Omit<Project, 'id' | 'createdAt' | 'updatedAt'>;

/** A project as the app uses it, from its row (for queries that read the row with more beside it). */
export function toProject(row: Selectable<ProjectsTable>): Project {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    type: row.type,
    params: JSON.parse(row.params),
    instructions: JSON.parse(row.instructions),
    overlapMin: row.overlap_min,
    overlapMax: row.overlap_max,
    priority: row.priority,
    goldRate: row.gold_rate,
    reviewPolicy: JSON.parse(row.review_policy),
    pay: JSON.parse(row.pay),
    leaseSeconds: row.lease_seconds,
    idleGraceSeconds: row.idle_grace_seconds,
    perWorkerCap: row.per_worker_cap,
    languages: JSON.parse(row.languages),
    contentWarnings: JSON.parse(row.content_warnings),
    requiredSkills: JSON.parse(row.required_skills),
    quality: { ...QUALITY_DEFAULTS, ...JSON.parse(row.quality) },
    prelabels: { ...PRELABEL_DEFAULTS, ...JSON.parse(row.prelabels) },
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRow(p: ProjectValues) {
  return {
    owner_id: p.ownerId,
    name: p.name,
    type: p.type,
    params: JSON.stringify(p.params),
    instructions: JSON.stringify(p.instructions),
    overlap_min: p.overlapMin,
    overlap_max: p.overlapMax,
    priority: p.priority,
    gold_rate: p.goldRate,
    review_policy: JSON.stringify(p.reviewPolicy),
    pay: JSON.stringify(p.pay),
    lease_seconds: p.leaseSeconds,
    idle_grace_seconds: p.idleGraceSeconds,
    per_worker_cap: p.perWorkerCap,
    languages: JSON.stringify(p.languages),
    content_warnings: JSON.stringify(p.contentWarnings),
    required_skills: JSON.stringify(p.requiredSkills),
    quality: JSON.stringify(p.quality),
    prelabels: JSON.stringify(p.prelabels),
    status: p.status,
  };
}

/** Inserts a project; returns undefined when the name is taken. */
export async function insertProject(db: Kysely<DB>, values: ProjectValues, now: number): Promise<Project | undefined> {
  const row = await db
    .insertInto('projects')
    .values({ ...toRow(values), created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && toProject(row);
}

/**
 * Saves a project. Its updated_at always moves forward, also within one millisecond or behind a node
 * whose clock runs ahead: a copy read earlier is current exactly when its updated_at still matches.
 */
export async function updateProjectRow(db: Kysely<DB>, id: number, values: ProjectValues, now: number): Promise<Project> {
  const row = await db
    .updateTable('projects')
    .set({ ...toRow(values), updated_at: sql<number>`CASE WHEN updated_at >= ${now} THEN updated_at + 1 ELSE ${now} END` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toProject(row);
}

// Every claim and submit reads its project.
const projectNamed = prepared((db: Kysely<DB>, name: string) => db.selectFrom('projects').selectAll().where('name', '=', name));
const projectWithId = prepared((db: Kysely<DB>, id: number) => db.selectFrom('projects').selectAll().where('id', '=', id));

export async function findProjectByName(db: Kysely<DB> | Transaction<DB>, name: string): Promise<Project | undefined> {
  const [row] = (await projectNamed(db, name)).rows;
  return row && toProject(row);
}

export async function findProjectById(db: Kysely<DB> | Transaction<DB>, id: number): Promise<Project | undefined> {
  const [row] = (await projectWithId(db, id)).rows;
  return row && toProject(row);
}

/**
 * Copies of projects this process has read, per database (a process may open several, as the tests do),
 * by id and by name. A copy is current exactly while its updated_at matches the row's, which moves forward
 * on every save (updateProjectRow): whoever uses one checks that, in a statement of its own.
 */
const copies = new WeakMap<object, { byId: Map<number, Project>; byName: Map<string, Project> }>();
const PROJECTS_KEPT = 1_000;

/** Keeps a copy of a project just read. `owner` is the database's root handle, which outlives any transaction. */
export function rememberProject(owner: object, project: Project): void {
  let known = copies.get(owner);
  if (!known) copies.set(owner, (known = { byId: new Map(), byName: new Map() }));
  if (known.byId.size >= PROJECTS_KEPT && !known.byId.has(project.id)) {
    known.byId.clear();
    known.byName.clear();
  }
  known.byId.set(project.id, project);
  known.byName.set(project.name, project);
}

/** The copy of the project named `name` this process kept last, current or not (see copies). */
export function rememberedProject(owner: object, name: string): Project | undefined {
  return copies.get(owner)?.byName.get(name);
}

/**
 * The project as it stands when its updated_at is `updatedAt` (read by the caller in a statement of its
 * own, typically joined to a task): the copy kept when it has that updated_at, else read now.
 */
export async function findProjectAsOf(owner: object, db: Kysely<DB> | Transaction<DB>, id: number, updatedAt: number): Promise<Project | undefined> {
  const copy = copies.get(owner)?.byId.get(id);
  if (copy && copy.updatedAt === updatedAt) return copy;
  const project = await findProjectById(db, id);
  if (project) rememberProject(owner, project);
  return project;
}

/** Projects owned by `ownerId`, or all projects when ownerId is undefined; oldest first. */
export async function listProjectRows(db: Kysely<DB>, ownerId: number | undefined): Promise<Project[]> {
  let query = db.selectFrom('projects').selectAll().orderBy('id');
  if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
  return (await query.execute()).map(toProject);
}

/** Task counts by status for the given projects. */
export async function countTasksByStatus(db: Kysely<DB>, projectIds: number[]): Promise<Map<number, Record<string, number>>> {
  const out = new Map<number, Record<string, number>>();
  if (projectIds.length === 0) return out;
  const rows = await db
    .selectFrom('project_task_count_stripes')
    .select(['project_id', 'status', (eb) => eb.fn.sum<number | string>('n').as('n')])
    .where('project_id', 'in', projectIds)
    .groupBy(['project_id', 'status'])
    .execute();
  for (const row of rows) {
    const counts = out.get(row.project_id) ?? {};
    counts[row.status] = Number(row.n);
    out.set(row.project_id, counts);
  }
  return out;
}

/** Rows a count is spread over, so concurrent completions on PostgreSQL seldom wait for each other. */
const COUNT_STRIPES = 16;

/** Adds `delta` to a project's count of tasks in `status`. Call inside the transaction that changed them. */
// Every completion moves two counters.
const addToStripe = prepared((db: Kysely<DB>, projectId: number, status: string, stripe: number, delta: number) =>
  db
    .insertInto('project_task_count_stripes')
    .values({ project_id: projectId, status, stripe, n: delta })
    .onConflict((oc) => oc.columns(['project_id', 'status', 'stripe']).doUpdateSet((eb) => ({ n: eb('project_task_count_stripes.n', '+', delta) }))),
);

export async function bumpTaskCount(trx: Transaction<DB>, projectId: number, status: string, delta: number): Promise<void> {
  if (delta !== 0) await addToStripe(trx, projectId, status, Math.floor(Math.random() * COUNT_STRIPES), delta);
}

// Both counters of a move in one statement: a completion is on every task's path.
const moveBetweenStripes = writeBehind((db: Kysely<DB>, projectId: number, from: string, to: string, stripe: number) =>
  db
    .insertInto('project_task_count_stripes')
    .values([
      { project_id: projectId, status: from, stripe, n: -1 },
      { project_id: projectId, status: to, stripe, n: 1 },
    ])
    .onConflict((oc) => oc.columns(['project_id', 'status', 'stripe']).doUpdateSet((eb) => ({ n: eb('project_task_count_stripes.n', '+', eb.ref('excluded.n')) }))),
);

/** Moves one task from `from` to `to` in the project's counts. Call inside the transaction that moved it. */
export async function moveTaskCount(trx: Transaction<DB>, projectId: number, from: string, to: string): Promise<void> {
  await moveBetweenStripes(trx, projectId, from, to, Math.floor(Math.random() * COUNT_STRIPES));
}

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTasks } from './export.service.ts';
import type { ExportAnswer, ExportOptions, ExportProject, ExportTask, PresentedTask } from './export-task.ts';
import type { ExportFormat } from './formats.ts';
import { folderTarget } from './output.ts';

/*
 * Builders for the writers' unit tests: a task in the exact shape `GET /v1/task/{id}` returns,
 * completed, with overrides; and answers as the repository hands them over.
 */

let nextId = 100;

/** A completed task of a type, as presented, with params/response/result overrides. */
export function buildTask(type: string, overrides: Partial<PresentedTask> & { params?: Record<string, unknown>; response?: Record<string, unknown> | null } = {}): PresentedTask {
  const id = String(nextId++);
  const response = overrides.response === undefined ? null : overrides.response;
  return {
    task_id: id,
    project: 'p',
    batch: null,
    type,
    status: 'completed',
    sub_status: null,
    created_at: '2026-01-05T09:00:00.000Z',
    updated_at: '2026-01-05T09:10:00.000Z',
    completed_at: '2026-01-05T09:10:00.000Z',
    instruction: null,
    callback_url: null,
    attachments: [],
    unique_id: `u-${id}`,
    priority: 0,
    responses_required: 1,
    metadata: {},
    tags: [],
    params: {},
    response,
    result: response === null ? null : { answer: response, confidence: (response as { confidence?: number }).confidence ?? null, method: 'majority', n_answers: 1, agreement: null, decided_by: { kind: 'aggregation' } },
    is_test: false,
    ...overrides,
  } as PresentedTask;
}

let nextAssignment = 5000;

/** An answer that counts: submitted 30 s after it was claimed. */
export function buildAnswer(response: Record<string, unknown>, overrides: Partial<ExportAnswer> = {}): ExportAnswer {
  return { assignment_id: String(nextAssignment++), worker_id: 7, response, submitted_at: Date.UTC(2026, 0, 5, 9, 5), lead_time: 30, ...overrides };
}

export const PROMPT = [{ role: 'user', content: 'Explain photosynthesis.' }];
export const RESPONSE_A = { id: 'a', model: 'model-alpha', messages: [{ role: 'assistant', content: 'Light to sugar.' }] };
export const RESPONSE_B = { id: 'b', model: 'model-beta', messages: [{ role: 'assistant', content: 'It is a process.' }] };

/** A comparison task between RESPONSE_A and RESPONSE_B with the given aggregated winner. */
export function comparisonTask(winner: string | null, extra: Record<string, unknown> = {}): PresentedTask {
  return buildTask('comparison', { params: { prompt: PROMPT, responses: [RESPONSE_A, RESPONSE_B], allow_tie: true, allow_both_bad: true, ...extra }, response: winner === null ? null : { winner, confidence: 1 } });
}

/** Runs tasks through a format's encoder into a fresh temporary folder; returns the result and the folder. */
export async function encodeForTest(
  format: ExportFormat,
  items: ExportTask[],
  project: Partial<ExportProject> = {},
  options: ExportOptions = {},
  metadataKeys?: string[],
): Promise<Awaited<ReturnType<typeof encodeTasks>> & { dir: string; read(name: string): Buffer; text(name: string): string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-export-test-'));
  const spec = { format, project: { name: 'p', type: items[0]?.task.type ?? 'categorization', params: {}, languages: ['en'], ...project }, options, metadataKeys };
  const result = await encodeTasks(spec, [[...items]], folderTarget(dir), Date.UTC(2026, 0, 6));
  return { ...result, dir, read: (name) => readFileSync(join(dir, name)), text: (name) => readFileSync(join(dir, name), 'utf8') };
}

/** An image-annotation task on a 640 x 480 image (or `size` null: no size in its params). */
export function imageTask(annotations: object[], opts: { size?: { width: number; height: number } | null; attachment?: string; geometries?: object } = {}): PresentedTask {
  const size = opts.size === undefined ? { width: 640, height: 480 } : opts.size;
  return buildTask('imageannotation', {
    params: {
      attachment: opts.attachment ?? 'https://img.example/photos/street%20view.jpg?sig=abc',
      ...(size && { image_width: size.width, image_height: size.height }),
      geometries: opts.geometries ?? { box: { objects_to_annotate: ['car', 'person'] }, polygon: { objects_to_annotate: ['road'] } },
    },
    response: { annotations, confidence: 1 },
  });
}

export const BOX = { type: 'box', label: 'person', left: 100, top: 50, width: 200, height: 100 };
export const POLYGON = { type: 'polygon', label: 'road', vertices: [{ x: 10, y: 10 }, { x: 110, y: 10 }, { x: 110, y: 60 }] };
export const IMAGE_PROJECT = { type: 'imageannotation', params: { geometries: { box: { objects_to_annotate: ['car', 'person'] }, polygon: { objects_to_annotate: ['road'] } } } };

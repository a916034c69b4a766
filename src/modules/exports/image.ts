import { answerOf, type ExportAnswer, finite, isReviewerFix, type PresentedTask, type ProblemSink } from './export-task.ts';

/** The image of an image-annotation task: where it is, what to call its files, its size in pixels. */
export interface ImageInfo {
  url: string;
  /** The image's file name (last path segment of its URL, query left out). */
  fileName: string;
  /** The file name without its extension: the stem of YOLO and VOC label files. */
  basename: string;
  width: number;
  height: number;
}

export interface BoxShape {
  type: 'box';
  label: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface PolygonShape {
  type: 'polygon';
  label: string;
  vertices: { x: number; y: number }[];
}

export type Shape = BoxShape | PolygonShape;

/** The file name of an image URL or path: its last segment, percent-decoded; `task-<id>` when there is none. */
export function imageFileName(url: string, taskId: string): string {
  let path = url;
  if (/^data:/i.test(url)) return `task-${taskId}`;
  try {
    path = new URL(url, 'file:///').pathname;
  } catch {
    // Not a URL: use it as a path.
  }
  let last = path.split('/').filter(Boolean).pop() ?? '';
  try {
    last = decodeURIComponent(last);
  } catch {
    // Keep the raw segment when it is not valid percent-encoding.
  }
  // A name that could climb out of a folder in a zip is not a file name.
  if (!last || last === '.' || last === '..' || /[\\/\0]/.test(last)) return `task-${taskId}`;
  return last;
}

/**
 * The task's image: its own first image attachment, else the `attachment` param (a project preset:
 * the task API reads a task's `attachment` field as a common field, so presets are how it arrives).
 */
export function imageUrl(task: PresentedTask): string {
  const own = (Array.isArray(task.attachments) ? task.attachments : []).find((a: { type?: unknown; content?: unknown }) => a?.type === 'image' && typeof a.content === 'string') as { content: string } | undefined;
  if (own) return own.content;
  const preset = (task.params as Record<string, unknown>).attachment;
  return typeof preset === 'string' ? preset : '';
}

/**
 * The task's image with its size, from the task params `image_width` / `image_height`. A task
 * without a positive size is reported as `image_size_missing`: pixel and percent conversions need
 * it, and a guessed size would put every box in the wrong place.
 */
export function imageOf(task: PresentedTask, problem?: ProblemSink): ImageInfo | undefined {
  const params = task.params as Record<string, unknown>;
  const width = finite(params.image_width);
  const height = finite(params.image_height);
  if (width === null || height === null || width <= 0 || height <= 0) {
    problem?.(task.task_id, 'image_size_missing', 'the task has no image_width / image_height, needed to convert coordinates');
    return undefined;
  }
  const url = imageUrl(task);
  const fileName = imageFileName(url, task.task_id);
  const dot = fileName.lastIndexOf('.');
  return { url, fileName, basename: dot > 0 ? fileName.slice(0, dot) : fileName, width, height };
}

/** The well-formed boxes and polygons of an `annotations` array (anything else is left out). */
export function shapesIn(value: unknown): Shape[] {
  if (!Array.isArray(value)) return [];
  const out: Shape[] = [];
  for (const a of value as Record<string, unknown>[]) {
    if (!a || typeof a.label !== 'string') continue;
    if ((a.type === 'box' || a.type === undefined) && [a.left, a.top, a.width, a.height].every((v) => finite(v) !== null)) {
      out.push({ type: 'box', label: a.label, left: a.left as number, top: a.top as number, width: a.width as number, height: a.height as number });
    } else if (a.type === 'polygon' && Array.isArray(a.vertices)) {
      const vertices = (a.vertices as { x: unknown; y: unknown }[]).filter((v) => finite(v?.x) !== null && finite(v?.y) !== null).map((v) => ({ x: v.x as number, y: v.y as number }));
      if (vertices.length >= 3) out.push({ type: 'polygon', label: a.label, vertices });
    }
  }
  return out;
}

/**
 * The shapes that label a task, in pixels: the reviewer's fix when there is one; the answer itself
 * when exactly one answer counts; otherwise the aggregated boxes (IoU clustering, median corners).
 * Aggregation merges boxes only, so polygons of several answers are reported (`polygons_not_merged`).
 */
export function imageShapes(task: PresentedTask, answers: readonly ExportAnswer[], problem?: ProblemSink): Shape[] | undefined {
  const answer = answerOf(task);
  if (isReviewerFix(task)) return shapesIn(answer?.annotations);
  if (answers.length === 1) return shapesIn(answers[0].response.annotations);
  if (!answer || !Array.isArray(answer.annotations)) {
    problem?.(task.task_id, 'no_answer', 'the task has no aggregated annotations');
    return undefined;
  }
  if (answers.some((a) => shapesIn(a.response.annotations).some((s) => s.type === 'polygon'))) {
    problem?.(task.task_id, 'polygons_not_merged', 'several answers drew polygons; only boxes are aggregated, so the polygons are left out');
  }
  return shapesIn(answer.annotations);
}

/** The pixel box around a shape: the box itself, or a polygon's bounds. */
export function boundsOf(shape: Shape): { x: number; y: number; w: number; h: number } {
  if (shape.type === 'box') return { x: shape.left, y: shape.top, w: shape.width, h: shape.height };
  const xs = shape.vertices.map((v) => v.x);
  const ys = shape.vertices.map((v) => v.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
}

/** The area of a polygon (shoelace formula), always positive. */
export function polygonArea(vertices: readonly { x: number; y: number }[]): number {
  let twice = 0;
  for (let i = 0; i < vertices.length; i++) {
    const p = vertices[i];
    const q = vertices[(i + 1) % vertices.length];
    twice += p.x * q.y - q.x * p.y;
  }
  return Math.abs(twice) / 2;
}

/**
 * The class names of an image project, in order: box labels, then polygon labels not already
 * listed (from the project's and the task's `geometries`). YOLO class ids are indexes in this list;
 * COCO category ids are these indexes + 1.
 */
export function classNames(params: Record<string, unknown>): string[] {
  const g = (params.geometries ?? {}) as { box?: { objects_to_annotate?: unknown[] }; polygon?: { objects_to_annotate?: unknown[] } };
  const names: string[] = [];
  for (const label of [...(g.box?.objects_to_annotate ?? []), ...(g.polygon?.objects_to_annotate ?? [])]) {
    if (typeof label === 'string' && !names.includes(label)) names.push(label);
  }
  return names;
}

/**
 * Class names in a fixed order, starting from the project's (see classNames); a label met later
 * (a task's own geometries) is appended, so ids already written never change.
 */
export class ClassList {
  readonly names: string[];
  constructor(initial: readonly string[]) {
    this.names = [...initial];
  }
  /** The 0-based index of a label, appending it when new. */
  index(label: string): number {
    let i = this.names.indexOf(label);
    if (i < 0) i = this.names.push(label) - 1;
    return i;
  }
}

/**
 * Hands out file stems so two tasks never write the same label file: the second task that names
 * the same image is reported (`duplicate_image`), since one image file cannot carry two label files.
 */
export class StemRegistry {
  private readonly seen = new Set<string>();
  claim(stem: string, taskId: string, problem?: ProblemSink): boolean {
    if (this.seen.has(stem)) {
      problem?.(taskId, 'duplicate_image', `another task already wrote labels for "${stem}"`);
      return false;
    }
    this.seen.add(stem);
    return true;
  }
}

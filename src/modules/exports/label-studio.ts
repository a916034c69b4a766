import { type Encoder, JsonArrayWriter } from './encoder.ts';
import type { ExportAnswer, PresentedTask, ProblemSink } from './export-task.ts';
import { type ImageInfo, imageOf, type Shape, shapesIn } from './image.ts';
import type { FileOut } from './output.ts';

/** One region or choice of a Label Studio annotation. */
export interface LabelStudioResult {
  id: string;
  from_name: string;
  to_name: string;
  type: 'choices' | 'labels' | 'rectanglelabels' | 'polygonlabels';
  value: Record<string, unknown>;
  original_width?: number;
  original_height?: number;
  image_rotation?: number;
  origin: 'manual';
}

export interface LabelStudioAnnotation {
  id: number;
  result: LabelStudioResult[];
  completed_by: number;
  created_at: string;
  /** Seconds from claim to submit. */
  lead_time: number;
}

export interface LabelStudioTask {
  id: number;
  data: Record<string, unknown>;
  annotations: LabelStudioAnnotation[];
  predictions: [];
}

/** The text or image a categorization task shows: its text attachments (joined), else its first image. */
function categorizationData(task: PresentedTask): { data: Record<string, unknown>; toName: 'text' | 'image' } {
  const attachments = (Array.isArray(task.attachments) ? task.attachments : []) as { type?: string; content?: unknown }[];
  const texts = attachments.filter((a) => (a.type === 'text' || a.type === 'markdown') && typeof a.content === 'string').map((a) => a.content as string);
  const image = attachments.find((a) => a.type === 'image' && typeof a.content === 'string');
  if (!texts.length && image) return { data: { image: image.content }, toName: 'image' };
  return { data: { text: texts.join('\n\n') }, toName: 'text' };
}

/** Percent of a length, as Label Studio stores image regions (100 x / W). */
const pct = (value: number, of: number) => (100 * value) / of;

/**
 * A box or polygon in Label Studio's image units: percent of the image, (100x/W, 100y/H, 100w/W,
 * 100h/H), with the original size beside it.
 */
export function labelStudioShape(shape: Shape, image: Pick<ImageInfo, 'width' | 'height'>, id: string): LabelStudioResult {
  // Control names of a config with <RectangleLabels name="label"> and <PolygonLabels name="polygon"> on <Image name="image">.
  const common = { id, from_name: shape.type === 'box' ? 'label' : 'polygon', to_name: 'image', original_width: image.width, original_height: image.height, image_rotation: 0, origin: 'manual' as const };
  if (shape.type === 'box') {
    return {
      ...common,
      type: 'rectanglelabels',
      value: { x: pct(shape.left, image.width), y: pct(shape.top, image.height), width: pct(shape.width, image.width), height: pct(shape.height, image.height), rotation: 0, rectanglelabels: [shape.label] },
    };
  }
  return { ...common, type: 'polygonlabels', value: { points: shape.vertices.map((v) => [pct(v.x, image.width), pct(v.y, image.height)]), closed: true, polygonlabels: [shape.label] } };
}

function resultsOf(task: PresentedTask, answer: ExportAnswer, image: ImageInfo | undefined, toName: string): LabelStudioResult[] {
  const r = answer.response;
  const id = (i: number) => `${answer.assignment_id}_${i}`;
  switch (task.type) {
    case 'categorization': {
      const choices = typeof r.category === 'string' ? [r.category] : Array.isArray(r.categories) ? r.categories.map(String) : [];
      return choices.length ? [{ id: id(0), from_name: 'choice', to_name: toName, type: 'choices', value: { choices }, origin: 'manual' }] : [];
    }
    case 'namedentityrecognition':
      return ((Array.isArray(r.spans) ? r.spans : []) as { start: number; end: number; label: string; text: string }[]).map((s, i) => ({
        id: id(i),
        from_name: 'label',
        to_name: 'text',
        type: 'labels',
        // Code points, end exclusive: what Label Studio stores since it fixed emoji offsets (label-studio#1559).
        value: { start: s.start, end: s.end, text: s.text, labels: [s.label] },
        origin: 'manual',
      }));
    case 'imageannotation':
      return image ? shapesIn(r.annotations).map((s, i) => labelStudioShape(s, image, id(i))) : [];
    default:
      return [];
  }
}

/**
 * A task as a Label Studio task: `{id, data, annotations, predictions: []}` with one annotation per
 * answer that counts (completed_by = the worker's user id, lead_time = seconds from claim to
 * submit). Text spans are `{start, end, text, labels}`; image regions are in percent with
 * original_width / original_height. An image task without a size is reported, not guessed.
 */
export function labelStudioTask(task: PresentedTask, answers: readonly ExportAnswer[], problem?: ProblemSink): LabelStudioTask | undefined {
  let data: Record<string, unknown>;
  let toName = 'text';
  let image: ImageInfo | undefined;
  if (task.type === 'imageannotation') {
    image = imageOf(task, problem);
    if (!image) return undefined;
    data = { image: image.url };
    toName = 'image';
  } else if (task.type === 'namedentityrecognition') {
    data = { text: (task.params as Record<string, unknown>).text };
  } else if (task.type === 'categorization') {
    ({ data, toName } = categorizationData(task));
  } else {
    problem?.(task.task_id, 'unsupported_type', `Label Studio export does not cover ${task.type}`);
    return undefined;
  }
  return {
    id: Number(task.task_id),
    data,
    annotations: answers.map((a) => ({
      id: Number(a.assignment_id),
      result: resultsOf(task, a, image, toName),
      completed_by: a.worker_id,
      created_at: new Date(a.submitted_at).toISOString(),
      lead_time: a.lead_time,
    })),
    predictions: [],
  };
}

/** `label_studio`: one JSON array of tasks, streamed element by element. */
export function labelStudioEncoder(file: FileOut, problem: ProblemSink): Encoder {
  const array = new JsonArrayWriter(file);
  return {
    add(item) {
      const record = labelStudioTask(item.task, item.answers, problem);
      if (!record) return 0;
      const wait = array.push(record);
      return wait ? wait.then(() => 1) : 1;
    },
    async finish() {
      await array.end();
      await file.write('\n');
    },
  };
}

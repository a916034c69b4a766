import type { Encoder, EncoderContext } from './encoder.ts';
import type { ExportAnswer, PresentedTask, ProblemSink } from './export-task.ts';
import { boundsOf, ClassList, classNames, imageOf, imageShapes, StemRegistry } from './image.ts';
import type { FileOut } from './output.ts';
import { ZipOut } from './zip.ts';

/** A split name safe as a folder: letters, digits, `_` and `-` (default `train`). */
export function splitName(split: string | undefined): string {
  return split && /^[A-Za-z0-9_-]{1,64}$/.test(split) ? split : 'train';
}

/**
 * One YOLO label line: `class cx cy w h`, the box centre and size divided by the image size
 * ((x + w/2)/W, (y + h/2)/H, w/W, h/H), six decimals. Polygons are written as their bounding box
 * (this is the detection format).
 */
export function yoloLine(classIndex: number, box: { x: number; y: number; w: number; h: number }, width: number, height: number): string {
  const f = (v: number) => v.toFixed(6);
  return `${classIndex} ${f((box.x + box.w / 2) / width)} ${f((box.y + box.h / 2) / height)} ${f(box.w / width)} ${f(box.h / height)}`;
}

/**
 * A task's YOLO label file: path `labels/<split>/<image stem>.txt` and its lines (LF-terminated;
 * empty for an image with no objects, which YOLO reads as a background image). Undefined
 * (reported) without an image size or annotations.
 */
export function yoloLabelFile(task: PresentedTask, answers: readonly ExportAnswer[], classes: ClassList, split: string, problem?: ProblemSink): { path: string; stem: string; text: string } | undefined {
  const image = imageOf(task, problem);
  if (!image) return undefined;
  const shapes = imageShapes(task, answers, problem);
  if (!shapes) return undefined;
  const text = shapes.map((s) => `${yoloLine(classes.index(s.label), boundsOf(s), image.width, image.height)}\n`).join('');
  return { path: `labels/${split}/${image.basename}.txt`, stem: image.basename, text };
}

/** `data.yaml` in the Ultralytics layout: the split's image folder, the class count and `names` by index. */
export function yoloDataYaml(names: readonly string[], split: string, project: string): string {
  // JSON strings are valid YAML double-quoted scalars: any class name survives as it is.
  return [
    `# Tessera export of project ${JSON.stringify(project)}: put the images in images/${split}/ beside labels/${split}/.`,
    'path: .',
    `${split}: images/${split}`,
    `nc: ${names.length}`,
    'names:',
    ...names.map((n, i) => `  ${i}: ${JSON.stringify(n)}`),
    '',
  ].join('\n');
}

/** `yolo`: a zip of `labels/<split>/<stem>.txt` per image, then `data.yaml` (classes are known at the end). */
export function yoloEncoder(file: FileOut, ctx: EncoderContext): Encoder {
  const classes = new ClassList(classNames(ctx.project.params));
  const split = splitName(ctx.options.split);
  const zip = new ZipOut(file, ctx.now);
  const stems = new StemRegistry();
  return {
    async add(item) {
      const label = yoloLabelFile(item.task, item.answers, classes, split, ctx.problem);
      if (!label || !stems.claim(label.stem, item.task.task_id, ctx.problem)) return 0;
      await zip.add(label.path, label.text);
      return 1;
    },
    async finish() {
      zip.add('data.yaml', yoloDataYaml(classes.names, split, ctx.project.name));
      await zip.end();
    },
  };
}

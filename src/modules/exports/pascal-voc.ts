import type { Encoder, EncoderContext } from './encoder.ts';
import type { ExportAnswer, PresentedTask, ProblemSink } from './export-task.ts';
import { boundsOf, imageOf, imageShapes, StemRegistry } from './image.ts';
import type { FileOut } from './output.ts';
import { ZipOut } from './zip.ts';

/** Text escaped for XML content. */
export function xmlText(value: string): string {
  // Characters XML 1.0 cannot carry at all are dropped; the five specials are escaped.
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/**
 * A task as a Pascal VOC annotation: `Annotations/<image stem>.xml` with the image size and one
 * `<object>` per shape, its box as integer pixels (xmin, ymin, xmax, ymax) = (x, y, x + w, y + h),
 * rounded to the nearest pixel. Polygons are written as their bounding box (VOC has no polygons).
 */
export function vocAnnotation(task: PresentedTask, answers: readonly ExportAnswer[], problem?: ProblemSink): { path: string; stem: string; xml: string } | undefined {
  const image = imageOf(task, problem);
  if (!image) return undefined;
  const shapes = imageShapes(task, answers, problem);
  if (!shapes) return undefined;
  const objects = shapes.map((s) => {
    const b = boundsOf(s);
    return [
      '  <object>',
      `    <name>${xmlText(s.label)}</name>`,
      '    <pose>Unspecified</pose>',
      '    <truncated>0</truncated>',
      '    <difficult>0</difficult>',
      '    <bndbox>',
      `      <xmin>${Math.round(b.x)}</xmin>`,
      `      <ymin>${Math.round(b.y)}</ymin>`,
      `      <xmax>${Math.round(b.x + b.w)}</xmax>`,
      `      <ymax>${Math.round(b.y + b.h)}</ymax>`,
      '    </bndbox>',
      '  </object>',
    ].join('\n');
  });
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<annotation>',
    '  <folder>JPEGImages</folder>',
    `  <filename>${xmlText(image.fileName)}</filename>`,
    `  <path>${xmlText(image.url)}</path>`,
    '  <source>',
    '    <database>Tessera</database>',
    '  </source>',
    '  <size>',
    `    <width>${Math.round(image.width)}</width>`,
    `    <height>${Math.round(image.height)}</height>`,
    '    <depth>3</depth>',
    '  </size>',
    '  <segmented>0</segmented>',
    ...objects,
    '</annotation>',
    '',
  ].join('\n');
  return { path: `Annotations/${image.basename}.xml`, stem: image.basename, xml };
}

/** `pascal_voc`: a zip of `Annotations/<stem>.xml`, one per image. */
export function pascalVocEncoder(file: FileOut, ctx: EncoderContext): Encoder {
  const zip = new ZipOut(file, ctx.now);
  const stems = new StemRegistry();
  return {
    async add(item) {
      const voc = vocAnnotation(item.task, item.answers, ctx.problem);
      if (!voc || !stems.claim(voc.stem, item.task.task_id, ctx.problem)) return 0;
      await zip.add(voc.path, voc.xml);
      return 1;
    },
    async finish() {
      await zip.end();
    },
  };
}

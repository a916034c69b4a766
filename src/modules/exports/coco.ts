import { createReadStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Encoder, EncoderContext } from './encoder.ts';
import type { ExportAnswer, PresentedTask, ProblemSink } from './export-task.ts';
import { boundsOf, ClassList, classNames, imageOf, imageShapes, polygonArea } from './image.ts';
import { FileOut } from './output.ts';

export interface CocoImage {
  id: number;
  width: number;
  height: number;
  file_name: string;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  /** [x, y, width, height] in pixels from the top-left corner. */
  bbox: [number, number, number, number];
  area: number;
  /** Polygons as [[x1, y1, x2, y2, ...]]; empty for boxes. */
  segmentation: number[][];
  iscrowd: 0;
}

/**
 * One task as a COCO image and its annotations. Boxes: bbox = [left, top, width, height] px, area
 * = width x height, no segmentation. Polygons: segmentation = the vertices flattened, bbox their
 * bounds, area the polygon's own (shoelace). Category ids are class indexes + 1 (COCO counts from 1).
 * Undefined (reported) when the task has no image size or no annotations.
 */
export function cocoRecords(
  task: PresentedTask,
  answers: readonly ExportAnswer[],
  ids: { image: number; firstAnnotation: number },
  classes: ClassList,
  problem?: ProblemSink,
): { image: CocoImage; annotations: CocoAnnotation[] } | undefined {
  const image = imageOf(task, problem);
  if (!image) return undefined;
  const shapes = imageShapes(task, answers, problem);
  if (!shapes) return undefined;
  const annotations = shapes.map((shape, i): CocoAnnotation => {
    const b = boundsOf(shape);
    return {
      id: ids.firstAnnotation + i,
      image_id: ids.image,
      category_id: classes.index(shape.label) + 1,
      bbox: [b.x, b.y, b.w, b.h],
      area: shape.type === 'box' ? shape.width * shape.height : polygonArea(shape.vertices),
      segmentation: shape.type === 'polygon' ? [shape.vertices.flatMap((v) => [v.x, v.y])] : [],
      iscrowd: 0,
    };
  });
  return { image: { id: ids.image, width: image.width, height: image.height, file_name: image.fileName }, annotations };
}

/** COCO `categories`: id from 1, name, and a supercategory (the project has none to give: `none`). */
export function cocoCategories(classes: ClassList): { id: number; name: string; supercategory: string }[] {
  return classes.names.map((name, i) => ({ id: i + 1, name, supercategory: 'none' }));
}

/**
 * `coco`: one JSON document `{info, licenses, images, annotations, categories}` written as a stream:
 * images go straight into the file while annotations wait in a scratch file (they come after all
 * images in the document), then are copied in; categories, known only at the end, close it.
 */
export function cocoEncoder(file: FileOut, ctx: EncoderContext): Encoder {
  const classes = new ClassList(classNames(ctx.project.params));
  const scratch = new FileOut('annotations', join(ctx.target.scratch, `.coco-annotations-${process.pid}-${Date.now()}.json`));
  let images = 0;
  let annotations = 0;
  const date = new Date(ctx.now);
  const info = { description: `Tessera export of project ${ctx.project.name}`, version: '1.0', year: date.getUTCFullYear(), contributor: 'Tessera', date_created: date.toISOString() };
  file.write(`{"info":${JSON.stringify(info)},"licenses":[],"images":[`);
  return {
    async add(item) {
      const records = cocoRecords(item.task, item.answers, { image: images + 1, firstAnnotation: annotations + 1 }, classes, ctx.problem);
      if (!records) return 0;
      await file.write(`${images === 0 ? '\n' : ',\n'}${JSON.stringify(records.image)}`);
      images++;
      for (const a of records.annotations) {
        await scratch.write(`${annotations === 0 ? '\n' : ',\n'}${JSON.stringify(a)}`);
        annotations++;
      }
      return 1;
    },
    async finish() {
      await scratch.close();
      try {
        await file.write(`${images ? '\n' : ''}],"annotations":[`);
        for await (const chunk of createReadStream(scratch.path)) {
          await file.write(chunk as Buffer);
        }
        await file.write(`${annotations ? '\n' : ''}],"categories":${JSON.stringify(cocoCategories(classes))}}\n`);
      } finally {
        rmSync(scratch.path, { force: true });
      }
    },
    abort() {
      scratch.abort();
      rmSync(scratch.path, { force: true });
    },
  };
}

import { describe, expect, it } from 'vitest';
import { ClassList } from './image.ts';
import { cocoRecords } from './coco.ts';
import { BOX, buildAnswer, encodeForTest, IMAGE_PROJECT, imageTask, POLYGON } from './test-helpers.ts';

describe('coco', () => {
  it('writes a box as bbox [left, top, width, height] in pixels with its area and no segmentation', () => {
    const classes = new ClassList(['car', 'person', 'road']);
    const records = cocoRecords(imageTask([BOX]), [], { image: 1, firstAnnotation: 1 }, classes);
    expect(records?.image).toEqual({ id: 1, width: 640, height: 480, file_name: 'street view.jpg' });
    expect(records?.annotations).toEqual([{ id: 1, image_id: 1, category_id: 2, bbox: [100, 50, 200, 100], area: 20000, segmentation: [], iscrowd: 0 }]);
  });

  it('writes a polygon as its flattened vertices, its bounds and its own area', () => {
    const records = cocoRecords(imageTask([POLYGON]), [buildAnswer({ annotations: [POLYGON] })], { image: 3, firstAnnotation: 7 }, new ClassList(['car', 'person', 'road']));
    expect(records?.annotations).toEqual([{ id: 7, image_id: 3, category_id: 3, bbox: [10, 10, 100, 50], area: 2500, segmentation: [[10, 10, 110, 10, 110, 60]], iscrowd: 0 }]);
  });

  it('writes one document with ids from 1, every image, annotation and category', async () => {
    const items = [
      { task: imageTask([BOX, { ...BOX, label: 'car', left: 5 }]), answers: [] },
      { task: imageTask([BOX], { size: null }), answers: [] },
      { task: imageTask([], { attachment: '/img/empty.png' }), answers: [] },
      { task: imageTask([POLYGON], { attachment: '/img/road.png' }), answers: [buildAnswer({ annotations: [POLYGON] })] },
    ];
    const out = await encodeForTest('coco', items, IMAGE_PROJECT);
    const doc = JSON.parse(out.text('export.json'));
    expect(Object.keys(doc)).toEqual(['info', 'licenses', 'images', 'annotations', 'categories']);
    expect(doc.info).toMatchObject({ year: 2026, date_created: '2026-01-06T00:00:00.000Z' });
    expect(doc.licenses).toEqual([]);
    expect(doc.images.map((i: { id: number; file_name: string }) => [i.id, i.file_name])).toEqual([
      [1, 'street view.jpg'],
      [2, 'empty.png'],
      [3, 'road.png'],
    ]);
    expect(doc.annotations.map((a: { id: number; image_id: number; category_id: number }) => [a.id, a.image_id, a.category_id])).toEqual([
      [1, 1, 2],
      [2, 1, 1],
      [3, 3, 3],
    ]);
    expect(doc.categories).toEqual([
      { id: 1, name: 'car', supercategory: 'none' },
      { id: 2, name: 'person', supercategory: 'none' },
      { id: 3, name: 'road', supercategory: 'none' },
    ]);
    // The task without image_width / image_height is reported, never given a guessed size.
    expect(out.problems.counts).toEqual({ image_size_missing: 1 });
    expect(out.problems.first[0].task_id).toBe(items[1].task.task_id);
    expect(out.rows).toBe(3);
  });

  it("takes the image from the task's own image attachment before the project's preset", () => {
    const task = { ...imageTask([BOX], { attachment: '/preset.jpg' }), attachments: [{ type: 'text', content: 'x' }, { type: 'image', content: 'https://cdn.test/own.png' }] };
    expect(cocoRecords(task, [], { image: 1, firstAnnotation: 1 }, new ClassList([]))?.image.file_name).toBe('own.png');
  });

  it('writes a valid empty document when no task has an image', async () => {
    const out = await encodeForTest('coco', [], IMAGE_PROJECT);
    expect(JSON.parse(out.text('export.json'))).toMatchObject({ images: [], annotations: [], categories: [{ id: 1, name: 'car' }, { id: 2, name: 'person' }, { id: 3, name: 'road' }] });
  });
});

import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { yoloLine } from './yolo.ts';
import { BOX, buildAnswer, encodeForTest, IMAGE_PROJECT, imageTask, POLYGON } from './test-helpers.ts';

describe('yolo', () => {
  it('normalises a box to centre and size over the image size, six decimals', () => {
    // ((100 + 200/2) / 640, (50 + 100/2) / 480, 200 / 640, 100 / 480)
    expect(yoloLine(1, { x: 100, y: 50, w: 200, h: 100 }, 640, 480)).toBe('1 0.312500 0.208333 0.312500 0.208333');
    // ((10.5 + 33.3/2) / 1000, (20.25 + 44.4/2) / 750, 33.3 / 1000, 44.4 / 750)
    expect(yoloLine(0, { x: 10.5, y: 20.25, w: 33.3, h: 44.4 }, 1000, 750)).toBe('0 0.027150 0.056600 0.033300 0.059200');
  });

  it('zips labels/<split>/<image stem>.txt per image and data.yaml with the class names', async () => {
    const items = [
      { task: imageTask([BOX, { ...BOX, label: 'car', left: 0, top: 0, width: 640, height: 480 }]), answers: [] },
      { task: imageTask([POLYGON], { attachment: 'https://x.test/a/b/road.png' }), answers: [buildAnswer({ annotations: [POLYGON] })] },
      { task: imageTask([], { attachment: '/img/empty.jpeg' }), answers: [] },
      { task: imageTask([BOX], { size: null, attachment: '/img/nosize.jpg' }), answers: [] },
    ];
    const out = await encodeForTest('yolo', items, IMAGE_PROJECT, { split: 'val' });
    const files = unzipSync(new Uint8Array(out.read('export.zip')));
    expect(Object.keys(files).sort()).toEqual(['data.yaml', 'labels/val/empty.txt', 'labels/val/road.txt', 'labels/val/street view.txt']);
    expect(strFromU8(files['labels/val/street view.txt'])).toBe('1 0.312500 0.208333 0.312500 0.208333\n0 0.500000 0.500000 1.000000 1.000000\n');
    // A polygon becomes its bounding box: x 10..110, y 10..60.
    expect(strFromU8(files['labels/val/road.txt'])).toBe('2 0.093750 0.072917 0.156250 0.104167\n');
    expect(strFromU8(files['labels/val/empty.txt'])).toBe('');
    const yaml = strFromU8(files['data.yaml']);
    expect(yaml).toContain('val: images/val\n');
    expect(yaml).toContain('nc: 3\nnames:\n  0: "car"\n  1: "person"\n  2: "road"\n');
    expect(out.problems.counts).toEqual({ image_size_missing: 1 });
    expect(out.rows).toBe(3);
  });

  it('reports a second task naming the same image rather than overwriting its labels', async () => {
    const out = await encodeForTest('yolo', [{ task: imageTask([BOX]), answers: [] }, { task: imageTask([BOX]), answers: [] }], IMAGE_PROJECT);
    expect(Object.keys(unzipSync(new Uint8Array(out.read('export.zip'))))).toHaveLength(2);
    expect(out.problems.counts).toEqual({ duplicate_image: 1 });
  });
});

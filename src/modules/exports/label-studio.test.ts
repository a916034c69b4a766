import { describe, expect, it } from 'vitest';
import { labelStudioTask } from './label-studio.ts';
import { BOX, buildAnswer, buildTask, encodeForTest, IMAGE_PROJECT, imageTask, POLYGON } from './test-helpers.ts';

describe('label_studio', () => {
  it('writes boxes in percent of the image with its original size, one annotation per answer', () => {
    const answer = buildAnswer({ annotations: [BOX, POLYGON] }, { worker_id: 9, lead_time: 42.5, submitted_at: Date.UTC(2026, 0, 5, 9, 30) });
    const task = imageTask([BOX]);
    const ls = labelStudioTask(task, [answer]);
    expect(Object.keys(ls as object)).toEqual(['id', 'data', 'annotations', 'predictions']);
    expect(ls?.id).toBe(Number(task.task_id));
    expect(ls?.data).toEqual({ image: 'https://img.example/photos/street%20view.jpg?sig=abc' });
    expect(ls?.predictions).toEqual([]);
    const [annotation] = ls?.annotations ?? [];
    expect(annotation).toMatchObject({ id: Number(answer.assignment_id), completed_by: 9, created_at: '2026-01-05T09:30:00.000Z', lead_time: 42.5 });
    const [box, polygon] = annotation.result;
    expect(box).toMatchObject({ type: 'rectanglelabels', to_name: 'image', original_width: 640, original_height: 480 });
    // (100x/W, 100y/H, 100w/W, 100h/H)
    expect(box.value).toEqual({ x: 15.625, y: (100 * 50) / 480, width: 31.25, height: (100 * 100) / 480, rotation: 0, rectanglelabels: ['person'] });
    expect(polygon).toMatchObject({ type: 'polygonlabels', original_width: 640, original_height: 480 });
    expect(polygon.value.points).toEqual([
      [(100 * 10) / 640, (100 * 10) / 480],
      [(100 * 110) / 640, (100 * 10) / 480],
      [(100 * 110) / 640, (100 * 60) / 480],
    ]);
  });

  it('writes spans as {start, end, text, labels} in code points', () => {
    const text = '🙂 Zoë lives in Cairo';
    const task = buildTask('namedentityrecognition', { params: { text, labels: ['PER', 'LOC'] }, response: { spans: [], confidence: 1 } });
    const ls = labelStudioTask(task, [buildAnswer({ spans: [{ start: 2, end: 5, label: 'PER', text: 'Zoë' }, { start: 15, end: 20, label: 'LOC', text: 'Cairo' }] })]);
    expect(ls?.data).toEqual({ text });
    expect(ls?.annotations[0].result.map((r) => [r.type, r.value])).toEqual([
      ['labels', { start: 2, end: 5, text: 'Zoë', labels: ['PER'] }],
      ['labels', { start: 15, end: 20, text: 'Cairo', labels: ['LOC'] }],
    ]);
  });

  it('writes categories as choices on the text', () => {
    const task = buildTask('categorization', { attachments: [{ type: 'text', content: 'Great product' }], params: { categories: ['pos', 'neg'] }, response: { category: 'pos', confidence: 0.9 } });
    const ls = labelStudioTask(task, [buildAnswer({ category: 'pos' }), buildAnswer({ category: 'neg' })]);
    expect(ls?.data).toEqual({ text: 'Great product' });
    expect(ls?.annotations.map((a) => a.result[0].value)).toEqual([{ choices: ['pos'] }, { choices: ['neg'] }]);
    expect(ls?.annotations[0].result[0]).toMatchObject({ type: 'choices', to_name: 'text' });
  });

  it('reports an image task without a size instead of guessing percentages', async () => {
    const out = await encodeForTest('label_studio', [{ task: imageTask([BOX], { size: null }), answers: [buildAnswer({ annotations: [BOX] })] }, { task: imageTask([BOX]), answers: [buildAnswer({ annotations: [BOX] })] }], IMAGE_PROJECT);
    const doc = JSON.parse(out.text('export.json'));
    expect(Array.isArray(doc)).toBe(true);
    expect(doc).toHaveLength(1);
    expect(out.problems.counts).toEqual({ image_size_missing: 1 });
  });
});

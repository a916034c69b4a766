import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { vocAnnotation } from './pascal-voc.ts';
import { BOX, encodeForTest, IMAGE_PROJECT, imageTask } from './test-helpers.ts';

const tag = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]);

describe('pascal_voc', () => {
  it('writes each box as integer pixels (x, y, x + w, y + h) with the image size', () => {
    const voc = vocAnnotation(imageTask([BOX, { ...BOX, label: 'car', left: 10.5, top: 20.25, width: 33.3, height: 44.4 }]), []);
    expect(voc?.path).toBe('Annotations/street view.xml');
    const xml = voc?.xml ?? '';
    expect(tag(xml, 'filename')).toEqual(['street view.jpg']);
    expect([tag(xml, 'width'), tag(xml, 'height'), tag(xml, 'depth')]).toEqual([['640'], ['480'], ['3']]);
    expect(tag(xml, 'name')).toEqual(['person', 'car']);
    expect(tag(xml, 'xmin')).toEqual(['100', '11']);
    expect(tag(xml, 'ymin')).toEqual(['50', '20']);
    expect(tag(xml, 'xmax')).toEqual(['300', '44']);
    expect(tag(xml, 'ymax')).toEqual(['150', '65']);
    for (const v of [...tag(xml, 'xmin'), ...tag(xml, 'ymin'), ...tag(xml, 'xmax'), ...tag(xml, 'ymax')]) expect(v).toMatch(/^\d+$/);
  });

  it('escapes labels and file names for XML', () => {
    const voc = vocAnnotation(imageTask([{ ...BOX, label: 'a<b & "c"' }], { attachment: '/x/R&D.jpg' }), []);
    expect(voc?.xml).toContain('<name>a&lt;b &amp; &quot;c&quot;</name>');
    expect(voc?.xml).toContain('<filename>R&amp;D.jpg</filename>');
  });

  it('zips Annotations/<image stem>.xml, one per image', async () => {
    const out = await encodeForTest('pascal_voc', [{ task: imageTask([BOX]), answers: [] }, { task: imageTask([BOX], { attachment: '/b.png' }), answers: [] }], IMAGE_PROJECT);
    const files = unzipSync(new Uint8Array(out.read('export.zip')));
    expect(Object.keys(files).sort()).toEqual(['Annotations/b.xml', 'Annotations/street view.xml']);
    expect(tag(strFromU8(files['Annotations/b.xml']), 'xmax')).toEqual(['300']);
  });
});

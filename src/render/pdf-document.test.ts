import { PDFArray, PDFDict, PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { renumberStructureIds } from './pdf-document.js';

/**
 * A small tagged PDF as Chromium writes one: structure elements named after DOM node numbers that
 * start wherever the renderer's counter happened to be, and an ID tree from those names to them.
 */
async function tagged(firstNode: number, gaps: number[]): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  doc.addPage();
  const ctx = doc.context;
  const root = ctx.nextRef();
  const names: (PDFString | ReturnType<typeof ctx.nextRef>)[] = [];
  const kids = [];
  let n = firstNode;
  for (const gap of gaps) {
    n += gap;
    const id = `node${String(n).padStart(8, '0')}`;
    const el = ctx.register(ctx.obj({ Type: 'StructElem', S: 'P', P: root, ID: PDFString.of(id), Alt: PDFString.of(`element ${gap}`) }));
    names.push(PDFString.of(id), el);
    kids.push(el);
  }
  const idTree = ctx.register(ctx.obj({ Names: ctx.obj(names), Limits: ctx.obj([names[0], names[names.length - 2]]) }));
  ctx.assign(root, ctx.obj({ Type: 'StructTreeRoot', K: ctx.obj(kids), IDTree: idTree }));
  doc.catalog.set(PDFName.of('StructTreeRoot'), root);
  return doc;
}

const bytes = async (doc: PDFDocument) => Buffer.from(await doc.save({ useObjectStreams: false }));

describe('renumberStructureIds', () => {
  it('gives the same bytes whatever number the renderer started at', async () => {
    const gaps = [1, 1, 3, 1, 10, 2];
    const a = await tagged(451, gaps);
    const b = await tagged(9_120, gaps);
    expect(await bytes(a)).not.toEqual(await bytes(b));
    expect(renumberStructureIds(a)).toBe(gaps.length);
    expect(renumberStructureIds(b)).toBe(gaps.length);
    expect(await bytes(a)).toEqual(await bytes(b));
  });

  it('keeps every name pointing at its element, in sorted order, with the limits of the new names', async () => {
    const doc = await tagged(99_999_990, [1, 5, 2, 20]); // crosses into nine digits: sorted by number, not text
    renumberStructureIds(doc);
    const root = doc.catalog.lookup(PDFName.of('StructTreeRoot'), PDFDict);
    const tree = root.lookup(PDFName.of('IDTree'), PDFDict);
    const names = tree.lookup(PDFName.of('Names'), PDFArray).asArray();
    const pairs: [string, string][] = [];
    for (let i = 0; i < names.length; i += 2) {
      const el = doc.context.lookup(names[i + 1], PDFDict);
      pairs.push([(names[i] as PDFString).asString(), `${(el.get(PDFName.of('ID')) as PDFString).asString()} ${(el.get(PDFName.of('Alt')) as PDFString).asString()}`]);
    }
    expect(pairs).toEqual([
      ['node00000001', 'node00000001 element 1'],
      ['node00000002', 'node00000002 element 5'],
      ['node00000003', 'node00000003 element 2'],
      ['node00000004', 'node00000004 element 20'],
    ]);
    expect(tree.lookup(PDFName.of('Limits'), PDFArray).asArray().map((s) => (s as PDFString).asString())).toEqual(['node00000001', 'node00000004']);
  });

  it('leaves a PDF without structure IDs alone', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const before = await bytes(doc);
    expect(renumberStructureIds(doc)).toBe(0);
    expect(await bytes(doc)).toEqual(before);
  });
});

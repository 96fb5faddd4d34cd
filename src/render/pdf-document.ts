/**
 * PDF post-processing with pdf-lib: reading the outline Chromium generated (to number the table of
 * contents), putting the cover in front, page labels, and deterministic document metadata.
 */
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFString, type PDFRef } from 'pdf-lib';

export interface OutlineEntry {
  title: string;
  /** 0-based page index */
  page: number;
  depth: number;
}

/** A PDF read once (about 0.25 s for the flagship's body): its outline read, then finished, from the same parse. */
export type LoadedPdf = PDFDocument;

export function loadPdf(bytes: Uint8Array): Promise<LoadedPdf> {
  return PDFDocument.load(bytes, { updateMetadata: false });
}

/** The outline (bookmarks) of a PDF, flattened in document order. */
export async function readOutline(pdf: Uint8Array | LoadedPdf): Promise<OutlineEntry[]> {
  const doc = pdf instanceof Uint8Array ? await loadPdf(pdf) : pdf;
  const pageRefs = doc.getPages().map((p) => p.ref.toString());
  const entries: OutlineEntry[] = [];
  const walk = (parent: PDFDict | undefined, depth: number) => {
    let item = parent?.lookupMaybe(PDFName.of('First'), PDFDict);
    for (let guard = 0; item && guard < 10_000; guard++) {
      const title = item.lookupMaybe(PDFName.of('Title'), PDFString, PDFHexString)?.decodeText() ?? '';
      const dest = item.lookupMaybe(PDFName.of('Dest'), PDFArray);
      entries.push({ title: title.replace(/\s+/g, ' ').trim(), page: dest ? pageRefs.indexOf(dest.get(0).toString()) : -1, depth });
      walk(item, depth + 1);
      item = item.lookupMaybe(PDFName.of('Next'), PDFDict);
    }
  };
  walk(doc.catalog.lookupMaybe(PDFName.of('Outlines'), PDFDict), 0);
  return entries;
}

export interface Metadata {
  title: string;
  author?: string;
  subject: string;
  keywords: string[];
  /** creation and modification date */
  date: Date;
  /** BCP 47 language of the text */
  language?: string;
  /** the cover's bookmark and page label, in the report's language (default "Cover") */
  coverTitle?: string;
}

/** Replaces the document outline with a flat list of bookmarks (title → 0-based page index). */
function setOutline(doc: PDFDocument, entries: { title: string; page: number }[]): void {
  const pages = doc.getPages();
  const items = entries.filter((e) => e.page >= 0 && e.page < pages.length);
  if (items.length === 0) {
    doc.catalog.delete(PDFName.of('Outlines'));
    return;
  }
  const root = doc.context.nextRef();
  const refs: PDFRef[] = items.map(() => doc.context.nextRef());
  items.forEach((item, i) => {
    const entry: Record<string, unknown> = {
      Title: PDFHexString.fromText(item.title),
      Parent: root,
      Dest: doc.context.obj([pages[item.page].ref, PDFName.of('Fit')]),
    };
    if (i > 0) entry.Prev = refs[i - 1];
    if (i < items.length - 1) entry.Next = refs[i + 1];
    doc.context.assign(refs[i], doc.context.obj(entry as never));
  });
  doc.context.assign(root, doc.context.obj({ Type: PDFName.of('Outlines'), First: refs[0], Last: refs[refs.length - 1], Count: PDFNumber.of(items.length) }));
  doc.catalog.set(PDFName.of('Outlines'), root);
}

/**
 * Chromium names each element of the tagged PDF's structure tree after its DOM node (`/ID
 * (node00000452)`, and the same string in the structure tree's ID tree). Those numbers come from a
 * counter of the browser's renderer process that also hands out numbers to nodes for other
 * purposes (paint timing, say) whenever those happen to ask, so the same report printed twice can
 * start at a different number, and the PDF's bytes differ. They are renumbered here 1, 2, … in the
 * order of the original numbers: the ID tree stays sorted, references keep pointing at the same
 * elements, and the same report gives the same bytes.
 */
export function renumberStructureIds(doc: PDFDocument): number {
  const NODE = /^node(\d+)$/;
  const found = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (obj: unknown, replace: ((o: PDFString) => PDFString) | null) => {
    if (obj instanceof PDFString) return NODE.test(obj.asString()) ? (replace ? replace(obj) : (found.add(obj.asString()), obj)) : obj;
    if (seen.has(obj)) return obj;
    if (obj instanceof PDFDict) {
      seen.add(obj);
      for (const [key, value] of obj.entries()) {
        const next = visit(value, replace);
        if (next !== value) obj.set(key, next as PDFString);
      }
    } else if (obj instanceof PDFArray) {
      seen.add(obj);
      obj.asArray().forEach((value, i) => {
        const next = visit(value, replace);
        if (next !== value) obj.set(i, next as PDFString);
      });
    }
    return obj;
  };
  const objects = doc.context.enumerateIndirectObjects().map(([, obj]) => obj);
  for (const obj of objects) visit(obj, null);
  if (found.size === 0) return 0;
  const order = [...found].sort((a, b) => Number(NODE.exec(a)![1]) - Number(NODE.exec(b)![1]) || (a < b ? -1 : a > b ? 1 : 0));
  const width = Math.max(8, String(order.length).length);
  const renamed = new Map(order.map((id, i) => [id, `node${String(i + 1).padStart(width, '0')}`]));
  seen.clear();
  for (const obj of objects) visit(obj, (s) => PDFString.of(renamed.get(s.asString())!));
  return found.size;
}

/**
 * Puts the cover page(s) in front of the body, labels pages (the cover by its name, then 1, 2, … —
 * or, when the body kept a slot for the cover, 2, 3, …: the physical page numbers its footer shows),
 * sets the bookmarks (body page indices are shifted past a cover that had no slot) and the metadata.
 */
export async function finishPdf(
  body: Uint8Array | LoadedPdf,
  cover: Uint8Array | null,
  meta: Metadata,
  outline: { title: string; bodyPage: number | null }[] = [],
  options: { coverSlot?: boolean } = {},
): Promise<Uint8Array> {
  const doc = body instanceof Uint8Array ? await loadPdf(body) : body;
  let coverPages = 0;
  // with coverSlot, the body's first page is an empty stand-in for the (one-page) cover: the cover
  // replaces it, and the body's own page numbers (footer, contents, outline) are physical ones
  const slot = cover !== null && options.coverSlot === true;
  if (cover) {
    const coverDoc = await PDFDocument.load(cover, { updateMetadata: false });
    const copied = await doc.copyPages(coverDoc, slot ? [0] : coverDoc.getPageIndices());
    if (slot) doc.removePage(0);
    copied.forEach((page, i) => doc.insertPage(i, page));
    coverPages = copied.length;
  }
  const shift = slot ? 0 : coverPages;
  const nums: (PDFNumber | PDFDict)[] = [];
  const coverTitle = meta.coverTitle ?? 'Cover';
  // PDF text strings: PDFDocEncoding for ASCII, UTF-16 (hex) otherwise
  const label = /^[\x20-\x7e]*$/.test(coverTitle) ? PDFString.of(coverTitle) : PDFHexString.fromText(coverTitle);
  if (coverPages > 0) nums.push(PDFNumber.of(0), doc.context.obj({ P: label }));
  nums.push(PDFNumber.of(coverPages), doc.context.obj({ S: PDFName.of('D'), St: PDFNumber.of(slot ? coverPages + 1 : 1) }));
  doc.catalog.set(PDFName.of('PageLabels'), doc.context.obj({ Nums: doc.context.obj(nums) }));
  setOutline(doc, [
    ...(coverPages > 0 ? [{ title: coverTitle, page: 0 }] : []),
    ...outline.filter((o) => o.bodyPage !== null).map((o) => ({ title: o.title, page: shift + (o.bodyPage as number) })),
  ]);
  doc.catalog.set(PDFName.of('PageMode'), PDFName.of('UseOutlines'));
  doc.setTitle(meta.title, { showInWindowTitleBar: true });
  if (meta.author) doc.setAuthor(meta.author);
  doc.setSubject(meta.subject);
  doc.setKeywords(meta.keywords);
  doc.setCreator('cxreport');
  doc.setProducer('cxreport (Chromium print, pdf-lib)');
  doc.setCreationDate(meta.date);
  doc.setModificationDate(meta.date);
  doc.setLanguage(meta.language ?? 'en');
  renumberStructureIds(doc);
  return doc.save({ useObjectStreams: false });
}

// A PDF page rendered with pdf.js (canvas + selectable text layer), with a cited span highlighted.
// The highlight is found by matching the cited text against the page's text layer (letters and
// digits only, so spacing, ligatures and hyphenation differences between readers do not matter);
// when no match is found, the cited lines' boxes from tome's own reader are drawn instead.

import { highlightRange } from './text-match.js';
import { centerIn } from './scroll.js';

const base = new URL('../pkg/pdfjs/', import.meta.url);
let pdfjs = null;

async function lib() {
  if (!pdfjs) {
    pdfjs = await import(new URL('pdf.min.mjs', base).href);
    pdfjs.GlobalWorkerOptions.workerSrc = new URL('pdf.worker.min.mjs', base).href;
  }
  return pdfjs;
}

export class PdfView {
  constructor(container) {
    this.container = container;
    this.task = null;
    this.doc = null;
    this.token = 0;
    this.current = 0;
    this.onpage = null; // (page, count) after each page is drawn
    this.ready = null; // the document being loaded (its page count)
    this.asked = false; // a page was asked for since the last load
  }

  /** Loads a PDF; resolves to its page count. A page asked for meanwhile is drawn once it is ready. */
  load(bytes) {
    this.doc = null;
    this.asked = false;
    this.ready = this.open(bytes);
    return this.ready;
  }

  async open(bytes) {
    const { getDocument } = await lib();
    // The loading task owns the previous document and its pdf.js worker state.
    await this.task?.destroy();
    this.container.replaceChildren();
    // pdf.js takes ownership of the buffer it is given: hand it a copy.
    this.task = getDocument({
      data: bytes.slice(),
      isEvalSupported: false,
      standardFontDataUrl: new URL('standard_fonts/', base).href,
      cMapUrl: new URL('cmaps/', base).href,
      wasmUrl: new URL('wasm/', base).href,
      cMapPacked: true,
      enableXfa: false,
    });
    this.doc = await this.task.promise;
    return this.doc.numPages;
  }

  /** Shows page `number`; with a citation, highlights its text and scrolls it into view. */
  async show(number, citation = null) {
    this.asked = true;
    const token = ++this.token;
    // A citation clicked while pdf.js still reads the file (search and ask are ready first: they
    // run in tome's worker) is drawn when the document is.
    if (!this.doc) await this.ready?.catch(() => {});
    if (!this.doc || token !== this.token) return;
    const { TextLayer } = await lib();
    const page = await this.doc.getPage(Math.min(Math.max(1, number), this.doc.numPages));
    const width = Math.max(this.container.clientWidth - 24, 320);
    const scale = width / page.getViewport({ scale: 1 }).width;
    const viewport = page.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;

    const sheet = document.createElement('div');
    sheet.className = 'sheet';
    sheet.dataset.page = String(page.pageNumber);
    sheet.setAttribute('aria-label', `Page ${page.pageNumber} of ${this.doc.numPages}`);
    sheet.setAttribute('role', 'region');
    for (const [k, v] of [['--scale-factor', scale], ['--total-scale-factor', scale], ['--user-unit', 1],
      ['--scale-round-x', '1px'], ['--scale-round-y', '1px']]) sheet.style.setProperty(k, String(v));
    sheet.style.width = `${viewport.width}px`;
    sheet.style.height = `${viewport.height}px`;
    const canvas = document.createElement('canvas');
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    const text = document.createElement('div');
    text.className = 'textLayer';
    const marks = document.createElement('div');
    marks.className = 'marks';
    sheet.append(canvas, text, marks);

    await page.render({
      canvas,
      canvasContext: canvas.getContext('2d'),
      viewport,
      transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null,
    }).promise;
    if (token !== this.token) return;
    await new TextLayer({ textContentSource: page.streamTextContent(), container: text, viewport }).render();
    if (token !== this.token) return;
    this.container.replaceChildren(sheet);
    this.current = page.pageNumber;
    this.onpage?.(page.pageNumber, this.doc.numPages);

    if (!citation) {
      this.container.scrollTop = 0;
      return;
    }
    let found = highlightRange(text, citation.text, sheet, marks);
    if (!found) found = this.drawBoxes(citation, page, viewport, marks);
    sheet.dataset.highlighted = found ? 'true' : 'false';
    if (marks.firstElementChild) centerIn(this.container, marks.firstElementChild);
  }

  drawBoxes(citation, page, viewport, marks) {
    const [, , , top] = page.view;
    let n = 0;
    for (const [p, x0, y0, x1, y1] of citation.boxes ?? []) {
      if (p !== page.pageNumber) continue;
      const [a, b, c, d] = viewport.convertToViewportRectangle([x0, top - y1, x1, top - y0]);
      const m = document.createElement('div');
      m.className = 'mark';
      Object.assign(m.style, {
        left: `${Math.min(a, c)}px`, top: `${Math.min(b, d)}px`,
        width: `${Math.abs(c - a)}px`, height: `${Math.abs(d - b)}px`,
      });
      marks.append(m);
      n++;
    }
    return n > 0;
  }

  get numPages() {
    return this.doc?.numPages ?? 0;
  }
}

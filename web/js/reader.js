// The reading UI shared by the page and the <tome-reader> widget: outline tree, document view
// (pdf.js page or text), search with marked hits, questions with clickable citations, progress
// with Stop, and errors in words. It renders into any root (the page body or a shadow root).
// Emits 'opened' { name, bytes, info, outline } and 'failed' { name, error } on its element.

import { Session } from './session.js';
import { Progress } from './progress.js';
import { renderOutline } from './outline-tree.js';
import { renderHits, renderAnswer } from './results.js';
import { PdfView } from './pdf-view.js';
import { TextView } from './text-view.js';
import { StoppedError } from './protocol.js';
import { WholeReading } from './whole-reading.js';

const TEMPLATE = `
  <div class="bar"></div>
  <div class="error" role="alert" hidden><p></p><button type="button" class="dismiss" aria-label="Dismiss this message">×</button></div>
  <div class="panes">
    <nav class="outline-pane" aria-label="Outline">
      <h2>Outline <span class="source"></span></h2>
      <div class="outline"><p class="hint">Open a document to see its outline.</p></div>
    </nav>
    <main class="doc-pane">
      <div class="doc-head">
        <h2 class="doc-title">No document open</h2>
        <div class="pager" hidden>
          <button type="button" class="prev" aria-label="Previous page">‹</button>
          <label>Page <input type="number" class="page-no" min="1" value="1" aria-label="Page number"></label>
          <span class="page-count"></span>
          <button type="button" class="next" aria-label="Next page">›</button>
        </div>
      </div>
      <div class="view" tabindex="-1"></div>
    </main>
    <aside class="tools-pane">
      <div class="model-bar">
        <button type="button" class="load-model">Load model (98 MB)</button>
        <span class="model-state" aria-live="polite">Model: not loaded</span>
      </div>
      <div class="whole" hidden>
        <button type="button" class="read-whole">Read the whole document</button>
        <button type="button" class="stop-whole" hidden>Stop</button>
        <button type="button" class="save-whole" hidden>Save as .tome</button>
        <button type="button" class="forget-whole" hidden>Forget</button>
        <p class="whole-state" aria-live="polite"></p>
      </div>
      <form class="ask">
        <input type="text" name="q" placeholder="Ask a question about it" aria-label="Ask a question" disabled>
        <button type="submit" disabled>Ask</button>
      </form>
      <div class="answer" aria-live="polite"></div>
      <form class="search" role="search">
        <input type="search" name="q" placeholder="Search the document" aria-label="Search the document" disabled>
        <button type="submit" disabled>Search</button>
      </form>
      <div class="hits" aria-live="polite"></div>
    </aside>
  </div>`;

export class Reader {
  constructor(el) {
    this.el = el;
    el.classList.add('reader');
    el.innerHTML = TEMPLATE;
    const $ = (s) => el.querySelector(s);
    this.parts = { error: $('.error'), outline: $('.outline'), source: $('.source'), title: $('.doc-title'),
      view: $('.view'), hits: $('.hits'), answer: $('.answer'), search: $('.search'), ask: $('.ask'),
      loadModel: $('.load-model'), modelState: $('.model-state') };
    this.session = new Session();
    this.whole = new WholeReading($('.whole'), this.session, (e) => this.showError(e));
    this.progress = new Progress($('.bar'), () => this.session.stop());
    this.pdf = new PdfView(this.parts.view);
    this.text = new TextView(this.parts.view, (a, b) => this.session.slice(a, b));
    this.session.addEventListener('progress', (e) => this.progress.update(e.detail));
    this.session.addEventListener('indexed', () => {
      this.progress.done();
      this.enable(true);
      this.whole.refresh();
    });
    this.session.addEventListener('gave-up', () => this.showError(new Error(
      'The reader failed several times in a row, so this document is not read again: open it again or reload the page.')));
    this.parts.error.lastElementChild.addEventListener('click', () => (this.parts.error.hidden = true));
    this.parts.search.addEventListener('submit', (e) => this.onSearch(e));
    this.setUpPager($('.pager'));
    this.parts.ask.addEventListener('submit', (e) => this.onAsk(e));
    this.session.addEventListener('model', ({ detail }) => this.showModel(detail));
    this.parts.loadModel.addEventListener('click', () => this.session.loadModel().catch(() => {}));
    // A model kept on this device from an earlier visit loads without asking (no download).
    this.session.loadModel({ cachedOnly: true }).catch(() => {});
  }

  showModel({ state, text }) {
    this.parts.modelState.textContent = text;
    this.parts.modelState.dataset.state = state;
    this.parts.loadModel.hidden = state === 'ready';
    this.parts.loadModel.disabled = state === 'downloading' || state === 'loading';
    this.whole.modelState(state);
    this.el.dispatchEvent(new CustomEvent('model', { detail: { state, text } }));
  }

  /** The model reads the retrieved passages; its text streams under the extractive answer. */
  async readWithModel(q) {
    const box = document.createElement('section');
    box.className = 'reading';
    const head = document.createElement('h3');
    head.textContent = "The model's reading of the passages (SmolLM2-135M; it can be wrong: the answer and citations above are the evidence)";
    const status = document.createElement('p');
    status.className = 'reading-status';
    status.textContent = 'Reading the passages…';
    const text = document.createElement('p');
    text.className = 'reading-text';
    const sources = document.createElement('ol');
    sources.className = 'reading-sources';
    const stop = document.createElement('button');
    stop.type = 'button';
    stop.className = 'stop-reading';
    stop.textContent = 'Stop';
    stop.addEventListener('click', () => this.session.stopReading().catch(() => {}));
    box.append(head, status, text, stop, sources);
    this.parts.answer.append(box);
    const t0 = performance.now();
    let first = 0;
    let generated = 0;
    let on = '';
    try {
      const done = await this.session.read(q, (p) => {
        if (p.stage === 'sources') {
          on = (p.backend?.kind === 'gpu' ? ` on WebGPU (${p.backend.label})` : ' on the CPU') +
            (p.memory ? ", after the whole document's memory" : '');
          for (const src of p.sources) {
            const li = document.createElement('li');
            const a = document.createElement('a');
            a.href = '#';
            const where = [src.path.at(-1), this.kind === 'pdf' ? `page ${src.page}` : ''].filter(Boolean).join(', ');
            a.textContent = `[${src.n}] ${where || 'passage'}`;
            a.addEventListener('click', (e) => {
              e.preventDefault();
              this.goTo(src, { ...src, boxes: [] });
            });
            li.append(a);
            sources.append(li);
          }
        } else if (p.stage === 'backend') {
          // WebGPU failed mid-answer: say so; the CPU continues the same answer.
          on = ' on the CPU after WebGPU failed';
          const note = document.createElement('p');
          note.className = 'reading-backend';
          note.setAttribute('role', 'status');
          note.textContent = `${p.backend.why}.`;
          box.insertBefore(note, text);
        } else if (p.stage === 'token') {
          if (p.generated === 0) {
            status.textContent = `Reading the passages${on}: ${p.prefilled} of ${p.prompt_tokens} tokens…`;
          } else {
            if (!first) first = performance.now();
            generated = p.generated;
            text.textContent += p.piece;
            status.textContent = `Writing… ${p.generated} tokens`;
          }
        }
      });
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      const why = { stop_token: 'done', max_tokens: 'stopped at the length limit', cancelled: 'stopped', context_full: 'context full' }[done.stop] ?? done.stop;
      const rate = generated > 1 ? `, ${((generated - 1) * 1000 / (performance.now() - first)).toFixed(1)} tokens/s` : '';
      status.textContent = `${why} (${secs} s${on}${rate})`;
    } catch (error) {
      status.textContent = `The model could not read the passages: ${error.message}`;
    } finally {
      stop.remove();
    }
  }

  enable(on) {
    for (const c of this.el.querySelectorAll('.search > *, .ask > *')) c.disabled = !on;
  }

  showError(error) {
    const stopped = error instanceof StoppedError;
    this.parts.error.firstElementChild.textContent = stopped
      ? 'Stopped. The document that was open before is still here.'
      : error.message;
    this.parts.error.hidden = false;
  }

  /** Opens a file; on failure the message is shown and the previous document stays. */
  async open(bytes, name, cached = null) {
    this.parts.error.hidden = true;
    const previous = this.session.doc;
    // Search and ask wait for the new document (the worker is reading it).
    this.enable(false);
    if (cached) this.showOutline(name, cached.info, cached.outline);
    let doc;
    try {
      doc = await this.session.open(bytes, name);
    } catch (error) {
      this.progress.done();
      this.showError(error);
      if (previous) {
        this.showOutline(previous.name, previous.info, previous.outline);
        this.enable(true);
      }
      this.el.dispatchEvent(new CustomEvent('failed', { bubbles: true, composed: true, detail: { name, error } }));
      return false;
    }
    this.parts.hits.replaceChildren();
    this.parts.answer.replaceChildren();
    this.parts.search.reset();
    this.parts.ask.reset();
    this.showOutline(name, doc.info, doc.outline);
    this.progress.done();
    this.enable(true);
    this.el.dispatchEvent(new CustomEvent('opened', { bubbles: true, composed: true,
      detail: { name, bytes, info: doc.info, outline: doc.outline } }));
    if (doc.info.kind === 'pdf') {
      this.view = this.pdf;
      // The first page, unless the reader already asked for one (a citation, an outline entry).
      await this.pdf.load(doc.inner ?? bytes).then(() => this.pdf.asked || this.pdf.show(1)).catch((e) => this.showError(new Error(
        `The outline and search work, but the page could not be drawn: ${e.message}`)));
    } else {
      this.pager.hidden = true;
      this.view = this.text;
      this.text.setDocument(doc.outline, doc.info.chars);
      await this.text.show(0, Math.min(doc.info.chars, 20000));
    }
    return true;
  }

  showOutline(name, info, outline) {
    this.info = info;
    this.kind = info.kind;
    this.parts.title.textContent = `${name} — ${info.kind === 'pdf' ? `${info.pages} pages` : `${info.chars.toLocaleString()} characters`}`;
    this.parts.source.textContent = { bookmarks: '(bookmarks)', toc: '(printed contents)', detected: '(detected headings)', fallback: '(sections)' }[outline.source] ?? '';
    renderOutline(this.parts.outline, outline, (node) => this.goTo(node), info.kind === 'pdf');
  }

  /** Previous / next page and a page number box, for PDFs; PageUp/PageDown in the view too. */
  setUpPager(pager) {
    const input = pager.querySelector('.page-no');
    const go = (n) => this.pdf.numPages && this.pdf.show(Math.min(Math.max(1, n), this.pdf.numPages));
    pager.querySelector('.prev').addEventListener('click', () => go(this.pdf.current - 1));
    pager.querySelector('.next').addEventListener('click', () => go(this.pdf.current + 1));
    input.addEventListener('change', () => go(Number(input.value)));
    this.parts.view.addEventListener('keydown', (e) => {
      if (this.pages && (e.key === 'PageDown' || e.key === 'PageUp')) {
        e.preventDefault();
        go(this.pdf.current + (e.key === 'PageDown' ? 1 : -1));
      }
    });
    this.pdf.onpage = (n, count) => {
      pager.hidden = false;
      input.value = String(n);
      input.max = String(count);
      pager.querySelector('.page-count').textContent = `of ${count}`;
    };
    this.pager = pager;
  }

  /** Page numbers mean something only for PDFs. */
  get pages() {
    return this.info?.kind === 'pdf';
  }

  goTo(node, citation = null) {
    if (this.info?.kind === 'pdf') return this.pdf.show(node.page, citation);
    return this.text.show(node.start, node.end, Boolean(citation));
  }

  async onSearch(e) {
    e.preventDefault();
    const q = e.target.q.value.trim();
    if (!q) return;
    try {
      const hits = await this.session.search(q, 10);
      renderHits(this.parts.hits, q, hits, (hit) => this.goTo(hit, { ...hit, boxes: [] }), this.pages);
    } catch (error) {
      this.showError(error);
    }
  }

  async onAsk(e) {
    e.preventDefault();
    const q = e.target.q.value.trim();
    if (!q) return;
    this.parts.answer.textContent = 'Looking for the answer…';
    try {
      const answer = await this.session.ask(q);
      renderAnswer(this.parts.answer, answer, (c) => this.goTo(c, c), this.pages);
      if (this.session.model.state === 'ready') await this.readWithModel(q);
    } catch (error) {
      this.parts.answer.replaceChildren();
      this.showError(error);
    }
  }
}

// The widget over a site's pack (<tome-reader pack="/tome/">): search as you type and Ask over
// the whole documentation site, the site's contents, citations that open the page at the
// section with the quote highlighted. It loads the lean pack reader (no PDF reader, no model)
// and, per query, only the shards that query needs (content-hashed names: cached for good).
// Emits 'answered' { question, answer } and 'failed' { error } (bubbling, composed).

import init, { TomePack } from '../pkg/pack/tome_pack.js';

const TEMPLATE = `
  <div class="tome-pack">
    <form class="ask" role="search">
      <input type="search" name="q" autocomplete="off" spellcheck="false" aria-label="Search or ask this site" placeholder="Search or ask this site" disabled>
      <button type="submit" disabled>Ask</button>
    </form>
    <label class="use-model" hidden><input type="checkbox"> <span></span></label>
    <p class="error" role="alert" hidden></p>
    <div class="answer" aria-live="polite"></div>
    <ol class="hits" aria-label="Sections that match"></ol>
    <details class="contents"><summary>Contents</summary><div class="tree"><p class="hint">Loading…</p></div></details>
    <p class="status" aria-live="polite"></p>
  </div>`;

let wasm = null;

/** The pack reader's wasm, instantiated once per page; it is shipped gzipped (a static host
 * need not compress it) and gunzipped here. */
function loadWasm() {
  wasm ??= (async () => {
    const res = await fetch(new URL('../pkg/pack/tome_pack_bg.wasm.gz', import.meta.url));
    if (!res.ok) throw new Error(`the widget's code (tome_pack_bg.wasm.gz): the server answered ${res.status}`);
    const bytes = await gunzip(new Uint8Array(await res.arrayBuffer()));
    return init({ module_or_path: bytes });
  })();
  return wasm;
}

/** The content of a pack file: gzip, unless a server already undid it (Content-Encoding). */
async function gunzip(bytes) {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export class PackWidget {
  constructor(root, host) {
    this.host = host;
    root.innerHTML = TEMPLATE;
    const $ = (s) => root.querySelector(s);
    this.parts = { form: $('.ask'), input: $('.ask input'), button: $('.ask button'), error: $('.error'),
      answer: $('.answer'), hits: $('.hits'), contents: $('.contents'), tree: $('.tree'), status: $('.status'),
      useModel: $('.use-model'), modelBox: $('.use-model input') };
    this.files = new Map(); // name -> Promise of its addition
    this.keep = null; // (url, response) => void: keeps what was fetched (offline visits)
    this.bytes = 0; // pack bytes fetched by this widget (as served)
    this.typed = 0;
    this.parts.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.ask(this.parts.input.value.trim());
    });
    this.parts.input.addEventListener('input', () => this.onType());
    this.parts.contents.addEventListener('toggle', () => this.parts.contents.open && this.showContents());
  }

  /** Opens the pack at `base` (a folder URL); `site` is the URL its page paths are relative to. */
  async open(base, site) {
    this.base = base;
    this.site = site;
    try {
      const url = new URL('tome-pack.json', base);
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url.pathname}: the server answered ${res.status}`);
      this.keep?.(url.href, res.clone());
      const manifest = new Uint8Array(await res.arrayBuffer());
      this.bytes += manifest.length;
      await loadWasm();
      this.pack = new TomePack(manifest);
    } catch (e) {
      this.fail(`This site's search could not be loaded (${e.message}). The pages still work; search is unavailable until the site's tome pack is fixed.`, e);
      return false;
    }
    this.info = this.pack.info();
    this.parts.input.placeholder = `Search or ask ${this.info.title}`;
    this.parts.contents.querySelector('summary').textContent = `Contents of ${this.info.title}`;
    this.parts.input.disabled = false;
    this.parts.button.disabled = false;
    if (this.info.model) {
      // The model is the visitor's choice, its size said before anything is downloaded.
      const mb = Math.round(this.info.model.bytes / 1e6);
      this.parts.useModel.querySelector('span').textContent = `Answer with the model — downloads ${mb} MB once`;
      this.parts.useModel.hidden = false;
    }
    return true;
  }

  fail(message, error) {
    this.parts.error.textContent = message;
    this.parts.error.hidden = false;
    this.host.dispatchEvent(new CustomEvent('failed', { bubbles: true, composed: true, detail: { error: message } }));
    if (error) console.warn('tome:', error);
  }

  /** Fetches and adds one pack file (once). */
  load(name) {
    if (!this.files.has(name)) {
      const p = (async () => {
        const url = new URL(name, this.base);
        const res = await fetch(url);
        if (!res.ok) throw new Error(`${name}: the server answered ${res.status}`);
        this.keep?.(url.href, res.clone());
        const raw = new Uint8Array(await res.arrayBuffer());
        this.bytes += raw.length;
        this.pack.add(name, await gunzip(raw));
      })();
      p.catch(() => this.files.delete(name));
      this.files.set(name, p);
    }
    return this.files.get(name);
  }

  /** Loads what a query needs (terms' shards, then the best passages' text), then runs it. */
  async run(q, { answer, prefix = false, k = 8 }) {
    for (let round = 0; round < 4; round++) {
      const want = this.pack.needs(q, k, prefix, answer);
      if (!want.length) break;
      await Promise.all(want.map((f) => this.load(f)));
    }
    return answer ? this.pack.ask(q) : this.pack.search(q, k, prefix);
  }

  onType() {
    const q = this.parts.input.value;
    const n = ++this.typed;
    clearTimeout(this.timer);
    if (!q.trim()) {
      this.parts.hits.replaceChildren();
      return;
    }
    this.timer = setTimeout(async () => {
      try {
        const hits = await this.run(q, { answer: false, prefix: true });
        if (n === this.typed) this.showHits(hits);
      } catch (e) {
        this.showQueryError(e);
      }
    }, 120);
  }

  async ask(q) {
    if (!q || !this.pack) return;
    clearTimeout(this.timer);
    this.typed++;
    this.parts.error.hidden = true;
    this.parts.answer.textContent = 'Looking for the answer…';
    const t0 = performance.now();
    try {
      const [answer, hits] = [await this.run(q, { answer: true }), await this.run(q, { answer: false })];
      this.lastMs = performance.now() - t0;
      this.showAnswer(answer);
      this.showHits(hits);
      this.parts.status.textContent = `Answered in ${Math.round(this.lastMs)} ms from ${Math.round(this.bytes / 1024)} KB of this site's index read so far.`;
      this.host.dispatchEvent(new CustomEvent('answered', { bubbles: true, composed: true, detail: { question: q, answer, ms: this.lastMs } }));
      if (this.parts.modelBox.checked) await this.modelAnswer(q);
    } catch (e) {
      this.parts.answer.replaceChildren();
      this.showQueryError(e);
    }
  }

  /** The model's answer over the passages the extractive answer was read from, below it:
   * the app's engine (its worker and wasm) is loaded on the first such question, then the model
   * file (from this device's cache after the first visit). Emits 'model-answered' { text, sources }. */
  async modelAnswer(q) {
    const box = document.createElement('div');
    box.className = 'model';
    const head = document.createElement('p');
    head.className = 'model-status';
    const text = document.createElement('p');
    text.className = 'model-text';
    box.append(head, text);
    this.parts.answer.append(box);
    try {
      const engine = await this.engine((p) => {
        head.textContent = p.stage === 'download' && p.total
          ? `Downloading the model: ${Math.round((100 * p.bytes) / p.total)}%`
          : 'Loading the model…';
      });
      head.textContent = 'The model is reading the passages…';
      const { bytes, urls } = passagesPage(this.pack.passages(q));
      await engine.call('open', { bytes, name: 'passages.html' });
      await engine.call('index', {});
      let sources = [];
      await engine.call('read', { question: q }, {
        onProgress: (p) => {
          if (p.stage === 'sources') sources = p.sources;
          if (p.stage === 'token') text.textContent += p.piece;
        },
      });
      head.textContent = 'The model’s answer, from these sections:';
      const list = document.createElement('ol');
      list.className = 'model-sources';
      const cited = sources.map((src) => ({ title: src.path.at(-1) ?? '', url: urls.get(src.path.at(-1)) }))
        .filter((c) => c.url);
      for (const c of cited) {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = this.link(c.url);
        a.textContent = c.title;
        li.append(a);
        list.append(li);
      }
      box.append(list);
      this.host.dispatchEvent(new CustomEvent('model-answered', { bubbles: true, composed: true,
        detail: { question: q, text: text.textContent, sources: cited, backend: engine.backend } }));
    } catch (e) {
      head.textContent = `The model could not answer (${e.message}); the answer above is the site's own words.`;
      this.host.dispatchEvent(new CustomEvent('failed', { bubbles: true, composed: true, detail: { error: head.textContent } }));
    }
  }

  /** The app's engine with the site's model loaded (once; a failure lets the next question retry). */
  engine(onProgress) {
    this.engineReady ??= (async () => {
      const { WorkerClient } = await import('./client.js');
      const client = new WorkerClient();
      const loaded = await client.call('modelLoad', { url: new URL(this.info.model.file, this.base).href }, { onProgress });
      client.backend = loaded.backend;
      return client;
    })();
    this.engineReady.catch(() => {
      this.engineReady = null;
    });
    return this.engineReady;
  }

  showQueryError(e) {
    const offline = !navigator.onLine || e instanceof TypeError;
    this.fail(offline
      ? `This needs a part of the site's index that is not on this device yet, and the network is not reachable (${e.message}). Try again when online.`
      : `The search failed: ${e.message}`, e);
  }

  link(url) {
    return new URL(url, this.site).href;
  }

  showAnswer(answer) {
    const box = this.parts.answer;
    box.replaceChildren();
    const head = document.createElement('p');
    head.className = answer.found ? 'short' : 'not-found';
    head.textContent = answer.found ? answer.answer : 'Not found on this site. The sections below share words with the question.';
    box.append(head);
    if (!answer.found && answer.nearest) {
      const a = document.createElement('a');
      a.className = 'nearest';
      a.href = this.link(answer.nearest);
      a.textContent = 'The nearest section';
      const where = document.createElement('p');
      where.className = 'where';
      where.append(a);
      box.append(where);
    }
    for (const c of answer.citations) {
      const q = document.createElement('blockquote');
      q.textContent = c.text;
      const a = document.createElement('a');
      a.className = 'cite';
      a.href = this.link(c.url);
      a.textContent = c.path.join(' › ');
      a.addEventListener('click', () => keepQuote(a.href));
      const where = document.createElement('p');
      where.className = 'where';
      where.append('— ', a);
      box.append(q, where);
    }
    this.showSeeAlso(answer);
  }

  /** Other pages that may answer, as links; after the answer's citations. */
  showSeeAlso(answer) {
    if (!answer.see_also?.length) return;
    const head = document.createElement('p');
    head.className = 'also';
    head.textContent = answer.found ? 'See also' : 'Other sections';
    const list = document.createElement('ul');
    list.className = 'see-also';
    list.setAttribute('aria-label', head.textContent);
    for (const r of answer.see_also) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.className = 'related';
      a.href = this.link(r.url);
      a.textContent = r.path.join(' › ') || r.url;
      li.append(a);
      list.append(li);
    }
    this.parts.answer.append(head, list);
  }

  showHits(hits) {
    this.parts.hits.replaceChildren(...hits.map((h) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = this.link(h.url);
      a.textContent = h.path.join(' › ') || h.url;
      const p = document.createElement('p');
      p.className = 'snippet';
      p.append(...snippet(h.text, h.matches));
      li.append(a, p);
      return li;
    }));
  }

  async showContents() {
    if (this.contentsShown || !this.pack) return;
    this.contentsShown = true;
    try {
      const res = await fetch(new URL(this.info.outline, this.base));
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      const raw = new Uint8Array(await res.arrayBuffer());
      this.bytes += raw.length;
      const nodes = JSON.parse(new TextDecoder().decode(await gunzip(raw)));
      this.parts.tree.replaceChildren(tree(nodes, (u) => this.link(u)));
    } catch (e) {
      this.contentsShown = false;
      this.parts.tree.textContent = `The contents could not be loaded (${e.message}).`;
    }
  }
}

/** The passages as a small HTML document for the engine: one section per place on the site,
 * titled by its outline path; `urls` maps each title back to the place. */
function passagesPage(passages) {
  const esc = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const sections = new Map(); // title -> { url, texts }
  for (const p of passages) {
    const title = p.path.join(' › ') || p.url;
    if (!sections.has(title)) sections.set(title, { url: p.url, texts: [] });
    sections.get(title).texts.push(p.text);
  }
  let html = '<!doctype html><html><head><meta charset="utf-8"><title>Passages</title></head><body><main>';
  for (const [title, { texts }] of sections) {
    html += `<h2>${esc(title)}</h2>${texts.map((t) => `<p>${esc(t)}</p>`).join('')}`;
  }
  html += '</main></body></html>';
  return {
    bytes: new TextEncoder().encode(html),
    urls: new Map([...sections].map(([title, { url }]) => [title, url])),
  };
}

/** A browser without text fragments will not mark the quote of the citation it opens: the
 * page's tome-loader.js does, from the link kept here for it. */
function keepQuote(href) {
  if ('fragmentDirective' in document) return;
  try {
    sessionStorage.setItem('tome-quote', href);
  } catch {
    // Storage blocked: the page opens at the section, unmarked.
  }
}

/** Up to ~200 characters around the first match, matches in <mark>. */
function snippet(text, matches) {
  const chars = [...text];
  const first = matches[0]?.[0] ?? 0;
  const from = Math.max(0, first - 60);
  const to = Math.min(chars.length, from + 200);
  const out = [from > 0 ? '…' : ''];
  let at = from;
  for (const [s, e] of matches) {
    if (s < at || s >= to) continue;
    out.push(chars.slice(at, s).join(''));
    const m = document.createElement('mark');
    m.textContent = chars.slice(s, e).join('');
    out.push(m);
    at = e;
  }
  out.push(chars.slice(at, to).join('') + (to < chars.length ? '…' : ''));
  return out.map((x) => (typeof x === 'string' ? x.replace(/\s+/g, ' ') : x));
}

/** The site's outline as nested lists of links. */
function tree(nodes, link) {
  const ul = document.createElement('ul');
  for (const n of nodes) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = link(n.url);
    a.textContent = n.title;
    li.append(a);
    if (n.children?.length) li.append(tree(n.children, link));
    ul.append(li);
  }
  return ul;
}

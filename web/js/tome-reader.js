// <tome-reader src="manual.pdf">: the whole reader (outline, search, questions with citations) as
// one element a documentation site adds with a single script tag. Shadow DOM keeps its styles
// apart; it uses the same worker as the app. Bubbling events: 'opened' and 'failed' (from Reader).
//   <script type="module" src="/js/tome-reader.js"></script>
//   <tome-reader src="manual.pdf" style="height: 40em"></tome-reader>

import { Reader } from './reader.js';

const STYLE = new URL('../app.css', import.meta.url).href;

export class TomeReaderElement extends HTMLElement {
  static define(tag = 'tome-reader', registry = customElements) {
    if (!registry.get(tag)) registry.define(tag, this);
    return this;
  }

  static get observedAttributes() {
    return ['src'];
  }

  connectedCallback() {
    if (!this.hasAttribute('role')) this.setAttribute('role', 'region');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Document reader');
    if (this.reader) return;
    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('link');
    style.rel = 'stylesheet';
    style.href = STYLE;
    const el = document.createElement('div');
    root.append(style, el);
    this.reader = new Reader(el);
    this.load();
  }

  attributeChangedCallback(name, old, value) {
    if (this.reader && old !== value) this.load();
  }

  get src() {
    return this.getAttribute('src') ?? '';
  }

  set src(value) {
    this.setAttribute('src', value);
  }

  async load() {
    const src = this.src;
    if (!src) return;
    const url = new URL(src, document.baseURI);
    const name = decodeURIComponent(url.pathname.split('/').pop() || 'document');
    let bytes;
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      this.reader.showError(new Error(`Could not load ${name}: ${e.message}. Check the src attribute.`));
      return;
    }
    await this.reader.open(bytes, name);
  }
}

TomeReaderElement.define();

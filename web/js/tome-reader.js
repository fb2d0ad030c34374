// <tome-reader src="manual.pdf">: the whole reader (outline, search, questions with citations) as
// one element a documentation site adds with a single script tag. Shadow DOM keeps its styles
// apart; it uses the same worker as the app. Bubbling events: 'opened' and 'failed' (from Reader).
//   <script type="module" src="/js/tome-reader.js"></script>
//   <tome-reader src="manual.pdf" style="height: 40em"></tome-reader>
// <tome-reader pack="/tome/">: the site's own search and answers over a `tome pack` of the whole
// site (see pack-widget.js); only the lean pack reader loads, never the PDF reader or the model.
// `site` (default: the pack's parent folder) is what the pack's page paths are relative to;
// `offline` registers a service worker (`tome-sw.js` in the site folder) so visited pages and
// the widget work offline.

const STYLE = new URL('../app.css', import.meta.url).href;
const PACK_STYLE = new URL('../pack-widget.css', import.meta.url).href;
// Shared with tome-sw.js: the cache that keeps a site's pages and pack for offline visits.
const SITE_CACHE = 'tome-site-1';

export class TomeReaderElement extends HTMLElement {
  static define(tag = 'tome-reader', registry = customElements) {
    if (!registry.get(tag)) registry.define(tag, this);
    return this;
  }

  static get observedAttributes() {
    return ['src'];
  }

  async connectedCallback() {
    if (!this.hasAttribute('role')) this.setAttribute('role', 'region');
    if (this.reader || this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('link');
    style.rel = 'stylesheet';
    const el = document.createElement('div');
    root.append(style, el);
    if (this.hasAttribute('pack')) {
      if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Search and ask this site');
      style.href = PACK_STYLE;
      await this.openPack(el);
      return;
    }
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Document reader');
    style.href = STYLE;
    const { Reader } = await import('./reader.js');
    this.reader = new Reader(el);
    this.load();
  }

  async openPack(el) {
    const base = new URL(this.getAttribute('pack') || 'tome/', document.baseURI);
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    const site = new URL(this.getAttribute('site') || '../', base);
    const offline = this.hasAttribute('offline') && 'serviceWorker' in navigator && 'caches' in self;
    const { PackWidget } = await import('./pack-widget.js');
    this.widget = new PackWidget(el, this);
    // Offline: what this visit fetched before the service worker took over is kept too.
    if (offline) this.widget.keep = (url, res) => caches.open(SITE_CACHE).then((c) => c.put(url, res)).catch(() => {});
    const opened = await this.widget.open(base, site);
    if (offline && opened) this.keepVisit(site);
  }

  /** Registers the site's service worker and keeps this page and what it loaded. */
  async keepVisit(site) {
    try {
      await navigator.serviceWorker.register(new URL('tome-sw.js', site), { scope: site.pathname });
      const here = location.origin;
      const urls = [location.href.split('#')[0], ...performance.getEntriesByType('resource').map((e) => e.name)]
        .filter((u) => u.startsWith(here) && !u.endsWith('.tome'));
      const cache = await caches.open(SITE_CACHE);
      await Promise.all([...new Set(urls)].map((u) => cache.add(u).catch(() => {})));
      this.dataset.offline = 'ready';
    } catch (e) {
      this.dataset.offline = 'failed';
      console.warn('tome: this site will not work offline:', e);
    }
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
    // The name is for messages: a file name that is not valid percent-encoding ("100%.pdf") is
    // shown as written; a src that is not a URL at all is an error shown in the reader.
    let name = src.split(/[?#]/)[0].split('/').pop() || 'document';
    try {
      name = decodeURIComponent(name);
    } catch {
      // keep it as written
    }
    let bytes;
    try {
      const url = new URL(src, document.baseURI);
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

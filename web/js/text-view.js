// The text view for plain-text and Markdown documents: shows the section that holds a span, with
// the span itself marked and scrolled into view. Offsets are code points (see results.js).

import { centerIn } from './scroll.js';

const MAX = 60000; // longer sections are shown as a window around the span

export class TextView {
  constructor(container, slice) {
    this.container = container;
    this.slice = slice; // (start, end) -> Promise<string>
    this.nodes = [];
    this.chars = 0;
  }

  setDocument(outline, chars) {
    this.nodes = flatten(outline.nodes);
    this.chars = chars;
  }

  /** The deepest outline section holding `at`, else a window around it. */
  section(at) {
    let best = null;
    for (const n of this.nodes) if (n.start <= at && at < n.end && (!best || n.level >= best.level)) best = n;
    let [a, b] = best ? [best.start, best.end] : [at - MAX / 2, at + MAX / 2];
    if (b - a > MAX) [a, b] = [at - MAX / 2, at + MAX / 2];
    return { title: best?.title ?? '', start: Math.max(0, a), end: Math.min(this.chars, b) };
  }

  /** Shows the text around [start, end); `mark` says whether that span is highlighted. */
  async show(start, end, mark = false) {
    const s = this.section(start);
    const text = Array.from(await this.slice(s.start, s.end));
    const article = document.createElement('article');
    article.className = 'text-page';
    if (s.title) {
      const h = document.createElement('h2');
      h.textContent = s.title;
      article.append(h);
    }
    const body = document.createElement('div');
    body.className = 'text-body';
    const a = Math.max(0, start - s.start);
    const b = Math.min(text.length, end - s.start);
    if (mark && b > a) {
      const m = document.createElement('mark');
      m.className = 'cited';
      m.textContent = text.slice(a, b).join('');
      body.append(text.slice(0, a).join(''), m, text.slice(b).join(''));
    } else {
      body.append(text.join(''));
    }
    article.append(body);
    this.container.replaceChildren(article);
    const m = body.querySelector('mark');
    if (m) centerIn(this.container, m);
    else this.container.scrollTop = 0;
  }
}

function flatten(nodes, out = []) {
  for (const n of nodes) {
    out.push(n);
    flatten(n.children, out);
  }
  return out;
}

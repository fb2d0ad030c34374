// Search hits with the query terms marked, and answers with clickable citation marks.
// Offsets from the worker are Unicode code points; JS strings index UTF-16, so slice by code points.

function codePoints(text) {
  return Array.from(text);
}

/** Text with [start, end) code point ranges wrapped in <mark>. */
function marked(text, ranges) {
  const chars = codePoints(text);
  const frag = document.createDocumentFragment();
  let at = 0;
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    if (a < at) continue;
    frag.append(chars.slice(at, a).join(''));
    const m = document.createElement('mark');
    m.textContent = chars.slice(a, b).join('');
    frag.append(m);
    at = b;
  }
  frag.append(chars.slice(at).join(''));
  return frag;
}

function where(item, pages) {
  const parts = [];
  if (pages && item.page) parts.push(`p. ${item.page}`);
  if (item.path?.length) parts.push(item.path.join(' › '));
  return parts.join(' · ');
}

/** Renders hits; `onOpen(hit)` shows one in the document view. */
export function renderHits(container, query, hits, onOpen, pages) {
  container.replaceChildren();
  const summary = document.createElement('p');
  summary.className = 'summary';
  summary.textContent = hits.length
    ? `${hits.length} passage${hits.length > 1 ? 's' : ''} for “${query}”`
    : `Nothing found for “${query}”. Try other words.`;
  container.append(summary);
  const list = document.createElement('ol');
  list.className = 'hits';
  for (const hit of hits) {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.className = 'hit';
    button.type = 'button';
    const head = document.createElement('span');
    head.className = 'where';
    head.textContent = where(hit, pages);
    const body = document.createElement('span');
    body.className = 'snippet';
    body.append(marked(snippet(hit), shift(hit)));
    button.append(head, body);
    button.addEventListener('click', () => onOpen(hit));
    li.append(button);
    list.append(li);
  }
  container.append(list);
}

// Passages can be long: show ~400 code points around the first match.
const WINDOW = 400;
function window0(hit) {
  const first = hit.matches[0]?.[0] ?? 0;
  return Math.max(0, first - 80);
}
function snippet(hit) {
  const a = window0(hit);
  const chars = codePoints(hit.text);
  return (a > 0 ? '…' : '') + chars.slice(a, a + WINDOW).join('') + (a + WINDOW < chars.length ? '…' : '');
}
function shift(hit) {
  const a = window0(hit);
  const lead = a > 0 ? 1 : 0;
  return hit.matches
    .filter(([s, e]) => s >= a && e <= a + WINDOW)
    .map(([s, e]) => [s - a + lead, e - a + lead]);
}

/** Renders an answer; citation marks [n] call `onCite(citation)`. */
export function renderAnswer(container, answer, onCite, pages) {
  container.replaceChildren();
  const text = document.createElement('p');
  text.className = answer.found ? 'answer' : 'answer not-found';
  text.textContent = answer.text;
  for (const [i, c] of answer.citations.entries()) text.append(' ', citeMark(i, c, onCite, pages));
  container.append(text);
  if (answer.citations.length) container.append(citationList(answer, onCite, pages));
  if (answer.see_also?.length) container.append(seeAlso(answer, onCite, pages));
}

/** The other sections that may answer: each a button that shows its sentence nearest the question. */
function seeAlso(answer, onCite, pages) {
  const box = document.createElement('div');
  box.className = 'see-also';
  const head = document.createElement('p');
  head.textContent = answer.found ? 'See also' : 'The nearest sections';
  const list = document.createElement('ul');
  list.setAttribute('aria-label', head.textContent);
  for (const r of answer.see_also) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'related';
    b.textContent = where(r, pages) || 'Start of the document';
    b.title = 'Show this section';
    b.dataset.start = r.start;
    b.dataset.end = r.end;
    b.addEventListener('click', () => onCite(r));
    li.append(b);
    list.append(li);
  }
  box.append(head, list);
  return box;
}

function citationList(answer, onCite, pages) {
  const list = document.createElement('ol');
  list.className = 'citations';
  for (const [i, c] of answer.citations.entries()) {
    const li = document.createElement('li');
    li.append(citeMark(i, c, onCite, pages));
    const quote = document.createElement('q');
    const chars = codePoints(c.text);
    quote.textContent = chars.slice(0, 240).join('') + (chars.length > 240 ? '…' : '');
    const head = document.createElement('span');
    head.className = 'where';
    head.textContent = where(c, pages);
    li.append(' ', head, quote);
    list.append(li);
  }
  return list;
}

function citeMark(i, c, onCite, pages) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'cite';
  b.textContent = `[${i + 1}]`;
  const page = pages && c.page ? ` on page ${c.page}` : '';
  b.title = `Show the cited passage${page}`;
  b.setAttribute('aria-label', `Citation ${i + 1}${page}`);
  b.dataset.start = c.start;
  b.dataset.end = c.end;
  b.addEventListener('click', () => onCite(c));
  return b;
}

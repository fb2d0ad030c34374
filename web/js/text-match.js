// Finds a cited text inside rendered text (a pdf.js text layer) and draws highlight boxes over it.
// Both sides are reduced to lower-case letters and digits (NFKC, so ligatures match) with a map
// back to DOM positions; the cited text is found whole, else by its longest matching head and tail.

function textNodes(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  return nodes;
}

/** Positions (node, UTF-16 offset) of every kept character of the text under `root`. */
function indexDom(root) {
  const chars = [];
  for (const node of textNodes(root)) {
    let offset = 0;
    for (const ch of node.data) {
      for (const c of ch.normalize('NFKC').toLowerCase()) {
        // One entry per UTF-16 unit, so indexes in the joined string match this array.
        if (/[\p{L}\p{N}]/u.test(c)) for (const unit of c.split('')) chars.push({ c: unit, node, offset, len: ch.length });
      }
      offset += ch.length;
    }
  }
  return chars;
}

/** [start, end) in the reduced haystack where the needle (or most of it) lies, or null. */
function locate(hay, needle) {
  if (needle.length === 0) return null;
  const whole = hay.indexOf(needle);
  if (whole >= 0) return [whole, whole + needle.length];
  const min = Math.min(12, needle.length);
  for (let n = Math.min(needle.length, 80); n >= min; n = Math.floor(n * 0.8)) {
    const head = hay.indexOf(needle.slice(0, n));
    if (head < 0) continue;
    for (let m = Math.min(needle.length, 80); m >= min; m = Math.floor(m * 0.8)) {
      const tail = hay.indexOf(needle.slice(-m), head);
      if (tail >= 0 && tail - head < needle.length * 2) return [head, tail + m];
    }
    return [head, Math.min(hay.length, head + needle.length)];
  }
  return null;
}

/** Draws boxes for `cited` found under `root` into `marks` (positioned within `frame`). */
export function highlightRange(root, cited, frame, marks) {
  const chars = indexDom(root);
  const hay = chars.map((x) => x.c).join('');
  const needle = Array.from(cited.normalize('NFKC').toLowerCase()).filter((c) => /[\p{L}\p{N}]/u.test(c)).join('');
  const at = locate(hay, needle);
  if (!at) return false;
  const first = chars[at[0]];
  const last = chars[at[1] - 1];
  const range = document.createRange();
  range.setStart(first.node, first.offset);
  range.setEnd(last.node, last.offset + last.len);
  const origin = frame.getBoundingClientRect();
  for (const r of lines(range.getClientRects())) {
    const m = document.createElement('div');
    m.className = 'mark';
    Object.assign(m.style, {
      left: `${r.left - origin.left}px`, top: `${r.top - origin.top}px`,
      width: `${r.width}px`, height: `${r.height}px`,
    });
    marks.append(m);
  }
  return marks.childElementCount > 0;
}

/** Text-layer pieces of one line overlap and abut: merge them into one box per line. */
function lines(rects) {
  const out = [];
  const sorted = [...rects].filter((r) => r.width >= 1 && r.height >= 1).sort((a, b) => a.top - b.top || a.left - b.left);
  for (const r of sorted) {
    const box = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    const line = out.find((o) => Math.min(o.bottom, box.bottom) - Math.max(o.top, box.top) > 0.5 * Math.min(o.bottom - o.top, box.bottom - box.top));
    if (line) {
      line.left = Math.min(line.left, box.left);
      line.right = Math.max(line.right, box.right);
      line.top = Math.min(line.top, box.top);
      line.bottom = Math.max(line.bottom, box.bottom);
    } else {
      out.push(box);
    }
  }
  return out.map((b) => ({ left: b.left, top: b.top, width: b.right - b.left, height: b.bottom - b.top }));
}

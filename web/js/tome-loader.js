// A classic script that puts the <tome-reader pack> widget on a page: what a site generator's
// "extra JavaScript" setting (mdBook's additional-js, Sphinx's script_files or a template) can
// add. It lives in the pack folder (PACK/js/tome-loader.js, copied there by `tome pack`), loads the
// widget's module from beside it, and adds the element at the end of the page's main content
// unless the page already has one. `data-offline` on this script tag keeps the site for offline visits.
//
// It also marks a citation's quote where the browser lacks text fragments: a citation links to
// `page.html#anchor:~:text=start,end`; such a browser neither highlights the quote nor, when it
// keeps the directive in the address, scrolls to the anchor. The quote then comes from the
// address or from what the widget kept when the citation was clicked (sessionStorage
// `tome-quote`, the link it opened), and its first match after the anchor is put in <mark>.
(function () {
  var me = document.currentScript;
  if (!me || !me.src) return;
  var pack = new URL('../', me.src).href;
  var module = document.createElement('script');
  module.type = 'module';
  module.src = new URL('tome-reader.js', me.src).href;
  document.head.appendChild(module);
  function place() {
    if (document.querySelector('tome-reader')) return;
    var el = document.createElement('tome-reader');
    el.setAttribute('pack', pack);
    if (me.hasAttribute('data-offline')) el.setAttribute('offline', '');
    el.style.display = 'block';
    el.style.margin = '2em 0';
    var host = document.querySelector('main, [role=main], article') || document.body;
    host.appendChild(el);
  }

  /** The citation this page was opened from: its anchor and quote ([start] or [start, end]). */
  function citation() {
    var link = location.href;
    var kept = null;
    try {
      kept = sessionStorage.getItem('tome-quote');
      sessionStorage.removeItem('tome-quote');
    } catch (e) {
      // Storage blocked: the address alone says it.
    }
    if (location.hash.indexOf(':~:') < 0) {
      if (!kept) return null;
      var was = new URL(kept, location.href);
      if (was.pathname !== location.pathname) return null;
      link = kept;
    }
    var hash = link.slice(link.indexOf('#') + 1);
    var at = hash.indexOf(':~:');
    var text = /(?:^|&)text=([^&]*)/.exec(hash.slice(at + 3));
    if (at < 0 || !text) return null;
    // Prefix ("p-") and suffix ("-s") parts give context only; the quote's own "-" is escaped.
    var parts = text[1].split(',').filter(function (p) { return p && !/^-|-$/.test(p); });
    try {
      return { anchor: decodeURIComponent(hash.slice(0, at)), quote: parts.map(decodeURIComponent) };
    } catch (e) {
      return null;
    }
  }

  /** Puts the first match of `quote` after `from` in <mark data-tome-quote>; returns the marks. */
  function mark(from, quote) {
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    var flat = '';
    // [text node, offset] of each character of `flat`. Whitespace is left out: the quote's
    // spacing is the extracted text's, which may differ around inline markup.
    var where = [];
    for (var n = walker.nextNode(); n; n = walker.nextNode()) {
      if (from && !(from.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
      if (n.parentNode.closest('script, style, tome-reader')) continue;
      for (var i = 0; i < n.data.length; i++) {
        if (/\s/.test(n.data[i])) continue;
        flat += n.data[i].toLowerCase();
        where.push([n, i]);
      }
    }
    var norm = function (s) { return s.replace(/\s+/g, '').toLowerCase(); };
    var start = flat.indexOf(norm(quote[0]));
    if (start < 0) return [];
    var end = start + norm(quote[0]).length;
    if (quote.length > 1) {
      var last = flat.indexOf(norm(quote[quote.length - 1]), end);
      // A quote is a sentence or two: a far end is another sentence's words.
      if (last < 0 || last - start > 3000) return [];
      end = last + norm(quote[quote.length - 1]).length;
    }
    // The span's piece of each text node, marked last to first so earlier offsets stay valid.
    var pieces = [];
    for (var k = start; k < end; k++) {
      var p = pieces[pieces.length - 1];
      if (p && p.node === where[k][0]) p.end = where[k][1] + 1; // the whitespace between too
      else pieces.push({ node: where[k][0], start: where[k][1], end: where[k][1] + 1 });
    }
    var marks = [];
    for (var j = pieces.length - 1; j >= 0; j--) {
      var range = document.createRange();
      range.setStart(pieces[j].node, pieces[j].start);
      range.setEnd(pieces[j].node, pieces[j].end);
      var m = document.createElement('mark');
      m.setAttribute('data-tome-quote', '');
      range.surroundContents(m);
      marks.unshift(m);
    }
    return marks;
  }

  function markQuote() {
    if ('fragmentDirective' in document) return; // the browser highlights the quote itself
    var cited = citation();
    if (!cited) return;
    var from = document.getElementById(cited.anchor);
    var marks = mark(from, cited.quote);
    var target = marks[0] || from;
    if (!target) return;
    var show = function () { target.scrollIntoView({ block: marks[0] ? 'center' : 'start' }); };
    show();
    // The browser scrolls to the address's #anchor once the page has loaded, which would put the quote
    // back at the top edge: centre it again after that.
    if (document.readyState !== 'complete') {
      window.addEventListener('load', function () { requestAnimationFrame(show); }, { once: true });
    }
  }

  function ready() {
    place();
    markQuote();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();

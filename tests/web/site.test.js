// The widget over whole documentation sites: the Rust book (mdBook, from the Rust toolchain's
// docs) and Sphinx's own manual (Debian's sphinx-doc), each copied, packed and given the widget
// by `tome pack --inject`, and served as they are by `tome serve`. A question from the dev set
// (tests/eval/site-questions.jsonl) is asked; its citation's link must open the gold page at the
// gold section. Then the site works offline after that first visit, broken packs are explained in
// words while the page goes on working, and no request leaves the site's origin. The widget is
// used with the keyboard alone and exposes its roles; a browser without text fragments still
// gets the quote marked on the cited page.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve, browser, tomeBinary, ROOT, SHOTS } from './harness.js';

const QUESTIONS = readFileSync(path.join(ROOT, 'tests/eval/site-questions.jsonl'), 'utf8').trim().split('\n')
  .map((l) => JSON.parse(l));
const sysroot = execFileSync('rustc', ['--print', 'sysroot']).toString().trim();
const SITES = [
  // The mdBook site also offers the model (`tome pack --model`).
  { name: 'mdBook', dir: path.join(sysroot, 'share/doc/rust/html/book'), start: 'ch11-00-testing.html', question: 'rust-book-15', model: true },
  { name: 'Sphinx', dir: '/usr/share/doc/sphinx-doc/html', start: 'usage/index.html', question: 'sphinx-01' },
];

/** The answer event's detail, once the widget on `page` answers. */
function answered(page) {
  return page.evaluate(() => new Promise((resolve) => document.querySelector('tome-reader')
    .addEventListener('answered', (e) => resolve({ ms: e.detail.ms, found: e.detail.answer.found }), { once: true })));
}

/** The element that has the keyboard focus, inside the widget's shadow root too. */
function focused(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el && { tag: el.tagName.toLowerCase(), cls: String(el.className), inWidget: el.getRootNode() !== document, type: el.type ?? '' };
  });
}

/** Presses Tab until `want(focused)` (at most `most` times). */
async function tabTo(page, want, most, what) {
  for (let i = 0; i < most; i++) {
    await page.keyboard.press('Tab');
    if (want(await focused(page))) return;
  }
  assert.fail(`${most} presses of Tab did not reach ${what}; focus is on ${JSON.stringify(await focused(page))}`);
}

/** The page a citation opened: its path and the anchor it is at (before any text directive). */
function opened(page) {
  const url = new URL(page.url());
  return { pathname: url.pathname, anchor: decodeURIComponent(url.hash.slice(1).split(':~:')[0]) };
}

/** Asks through the widget; resolves with the answer event's detail. */
async function ask(page, question) {
  const widget = page.locator('tome-reader');
  await widget.locator('input[type=search]:not([disabled])').waitFor({ timeout: 60_000 });
  await widget.locator('input[type=search]').fill(question);
  const done = answered(page);
  await widget.locator('button[type=submit]').click();
  return done;
}

for (const site of SITES) {
  describe(`the widget on a ${site.name} site`, () => {
    let tmp;
    let root;
    let server;
    let b;
    let page;
    const q = QUESTIONS.find((x) => x.id === site.question);
    const engineRequests = [];

    before(async () => {
      assert.ok(existsSync(path.join(site.dir, 'index.html')), `${site.dir} is missing: run scripts/setup.sh`);
      tmp = mkdtempSync(path.join(tmpdir(), 'tome-site-'));
      root = path.join(tmp, 'site');
      cpSync(site.dir, root, { recursive: true, dereference: true });
      const t0 = performance.now();
      execFileSync(tomeBinary(), ['pack', root, '--inject', ...(site.model ? ['--model'] : [])], { stdio: 'pipe' });
      console.log(`${site.name}: packed and injected in ${Math.round(performance.now() - t0)} ms`);
      // A page with two broken widgets: a pack that is not there, one from another tome version.
      mkdirSync(path.join(root, 'old-pack'));
      writeFileSync(path.join(root, 'old-pack/tome-pack.json'), JSON.stringify({ format: 0, tome: '0.0.1' }));
      writeFileSync(path.join(root, 'tome-bad.html'), `<!doctype html><html><head><meta charset="utf-8"><title>Host</title>
        <script type="module" src="tome/js/tome-reader.js"></script></head><body><h1>The host page</h1>
        <details id="host"><summary>More</summary><p>Host content</p></details>
        <tome-reader id="missing" pack="no-such-pack/"></tome-reader><tome-reader id="old" pack="old-pack/"></tome-reader></body></html>`);
      // A host page of the site's own: a link before the widget, the widget inside the host's main.
      writeFileSync(path.join(root, 'tome-host.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
        <title>Host</title><script type="module" src="tome/js/tome-reader.js"></script></head><body>
        <header><a href="index.html">Home</a></header><main><h1>The host page</h1>
        <tome-reader pack="tome/"></tome-reader></main></body></html>`);
      server = await serve(root);
      b = await browser(server.url.replace(/\/$/, ''));
      // The engine's wasm and the model file: fetched only when a visitor chooses the model.
      b.context.on('request', (r) => /(\.gguf|tome_bg\.wasm)$/.test(new URL(r.url()).pathname) && engineRequests.push(r.url()));
      page = await b.context.newPage();
    });

    after(async () => {
      await b?.close();
      server?.stop();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    test('a question is answered; its citation opens the gold page at the gold section', async () => {
      await page.goto(`${server.url}${site.start}`);
      const { ms } = await ask(page, q.question);
      console.log(`${site.name}: "${q.question}" answered in ${Math.round(ms)} ms (shards fetched included)`);
      assert.ok(ms < 5000, `the answer took ${ms} ms`);
      const cite = page.locator('tome-reader .answer a.cite').first();
      await cite.waitFor();
      await page.locator('tome-reader').screenshot({ path: path.join(SHOTS, `20-site-${site.name.toLowerCase()}.png`) });
      const href = await cite.getAttribute('href');
      assert.match(href, /:~:text=/, 'the link carries a text fragment for the quote');
      // Other pages that may answer are listed under it, as links on this site.
      const related = await page.locator('tome-reader .answer a.related').evaluateAll((as) => as.map((a) => a.href));
      assert.ok(related.length >= 1 && related.length <= 2, `see also: ${related}`);
      const citedPath = new URL(href, server.url).pathname;
      for (const r of related) {
        assert.ok(r.startsWith(server.url), `${r} is on the site`);
        assert.notEqual(new URL(r).pathname, citedPath, 'another page than the cited one');
      }
      await Promise.all([page.waitForURL((u) => !u.href.endsWith(site.start)), cite.click()]);
      const url = new URL(page.url());
      // Chromium keeps the text directive (:~:text=…) in the URL it reports; the anchor is before it.
      const anchor = decodeURIComponent(url.hash.slice(1).split(':~:')[0]);
      const gold = q.gold.find((g) => url.pathname.endsWith(`/${g.page}`));
      assert.ok(gold, `${url.pathname} is not a gold page of ${q.id}`);
      assert.equal(anchor, gold.anchor);
      assert.ok(await page.evaluate((id) => Boolean(document.getElementById(id)), anchor), `#${anchor} is on the page`);
    });

    test('search as you type lists sections of the site with the words marked', async () => {
      await page.goto(`${server.url}${site.start}`);
      const widget = page.locator('tome-reader');
      await widget.locator('input[type=search]:not([disabled])').waitFor({ timeout: 60_000 });
      // The last word is still being typed: it stands for the words it begins.
      await widget.locator('input[type=search]').pressSequentially(q.question.split(' ').slice(-3).join(' ').slice(0, -2), { delay: 20 });
      await widget.locator('.hits li a').first().waitFor();
      assert.ok((await widget.locator('.hits mark').count()) > 0);
      const href = await widget.locator('.hits li a').first().getAttribute('href');
      assert.ok(href.startsWith(server.url), href);
    });

    test('keyboard alone: Tab to the box, type, Enter, Tab to the citation, Enter opens the gold section', async () => {
      await page.goto(`${server.url}tome-host.html`);
      await page.locator('tome-reader input[type=search]:not([disabled])').waitFor({ timeout: 60_000 });
      await tabTo(page, (f) => f?.inWidget && f.tag === 'input' && f.type === 'search', 4, 'the search box');
      await page.keyboard.type(q.question);
      const done = answered(page);
      await page.keyboard.press('Enter');
      await done;
      await tabTo(page, (f) => f?.inWidget && f.tag === 'a' && f.cls === 'cite', 4, 'the first citation');
      await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/tome-host.html')), page.keyboard.press('Enter')]);
      const { pathname, anchor } = opened(page);
      const gold = q.gold.find((g) => pathname.endsWith(`/${g.page}`));
      assert.ok(gold, `${pathname} is not a gold page of ${q.id}`);
      assert.equal(anchor, gold.anchor);
    });

    test('roles and labels: a labelled region, a search form, live regions, no main landmark of its own', async () => {
      await page.goto(`${server.url}${site.start}`);
      const widget = page.locator('tome-reader');
      await widget.locator('input[type=search]:not([disabled])').waitFor({ timeout: 60_000 });
      const dom = await widget.evaluate((el) => ({
        role: el.getAttribute('role'),
        label: el.getAttribute('aria-label'),
        inHostMain: Boolean(el.closest('main, [role=main]')),
        mains: el.shadowRoot.querySelectorAll('main, [role=main]').length,
        live: [...el.shadowRoot.querySelectorAll('[aria-live]')].map((e) => e.className),
      }));
      assert.equal(dom.role, 'region');
      assert.ok(dom.label, 'the region has a label');
      assert.ok(dom.inHostMain, 'the loader put the widget in the host page\'s main content');
      assert.equal(dom.mains, 0, 'no main landmark inside the host\'s main');
      assert.ok(dom.live.includes('answer'), `the answer is a live region (${dom.live})`);
      // The accessibility tree as a screen reader gets it (shadow root included).
      const tree = await widget.ariaSnapshot();
      assert.match(tree, /region "[^"]+"/, tree);
      assert.match(tree, /search:/, tree);
      assert.match(tree, /searchbox "Search or ask this site"/, tree);
      assert.match(tree, /button "Ask"/, tree);
      assert.doesNotMatch(tree, /^\s*- main\b/m, tree);
    });

    test('a browser without text fragments: the cited page opens with the quote marked', async () => {
      const plain = await browser(server.url.replace(/\/$/, ''), { args: ['--disable-blink-features=TextFragmentIdentifiers'] });
      try {
        const p = await plain.context.newPage();
        await p.goto(`${server.url}${site.start}`);
        assert.equal(await p.evaluate(() => 'fragmentDirective' in document), false, 'text fragments are off');
        await ask(p, q.question);
        const quote = (await p.locator('tome-reader .answer blockquote').first().textContent()).trim();
        const cite = p.locator('tome-reader .answer a.cite').first();
        await Promise.all([p.waitForURL((u) => !u.pathname.endsWith(`/${site.start}`)), cite.click()]);
        const marked = p.locator('mark[data-tome-quote]');
        await marked.first().waitFor();
        const squash = (t) => t.replace(/\s+/g, '').toLowerCase();
        const text = squash((await marked.allTextContents()).join(''));
        const words = quote.split(/\s+/);
        assert.ok(text.startsWith(squash(words.slice(0, 4).join(''))), `marked "${text}" for the quote "${quote}"`);
        assert.ok(text.endsWith(squash(words.slice(-4).join(''))), `marked "${text}" for the quote "${quote}"`);
        const box = await marked.first().boundingBox();
        assert.ok(box && box.y >= 0 && box.y < 900, `the quote is in view (${JSON.stringify(box)})`);
        const { pathname } = opened(p);
        assert.ok(q.gold.some((g) => pathname.endsWith(`/${g.page}`)), `${pathname} is a gold page`);
        assert.deepEqual(plain.offOrigin, []);
      } finally {
        await plain.close();
      }
    });

    test('works offline after the first visit', async () => {
      await page.goto(`${server.url}${site.start}`);
      await ask(page, q.question);
      await page.locator('tome-reader[data-offline=ready]').waitFor({ timeout: 30_000 });
      await b.context.setOffline(true);
      try {
        await page.reload();
        const { found } = await ask(page, q.question);
        assert.ok(found);
        await page.locator('tome-reader .answer a.cite').first().waitFor();
      } finally {
        await b.context.setOffline(false);
      }
    });

    test('broken packs are explained in words; the host page keeps working', async () => {
      await page.goto(`${server.url}tome-bad.html`);
      const missing = page.locator('#missing .error');
      await missing.waitFor();
      assert.match(await missing.textContent(), /could not be loaded .*no-such-pack\/tome-pack\.json: the server answered 404/);
      const old = page.locator('#old .error');
      await old.waitFor();
      assert.match(await old.textContent(), /written by tome 0\.0\.1 in format 0; .*run `tome pack` again/);
      await page.locator('#host summary').click();
      assert.equal(await page.locator('#host').getAttribute('open'), '');
    });

    if (site.model) {
      test('the model: offered with its size, downloaded only when the visitor chooses it', async () => {
        assert.deepEqual(engineRequests, [], 'no engine or model bytes in the tests before');
        await page.goto(`${server.url}${site.start}`);
        const choice = page.locator('tome-reader .use-model');
        await choice.waitFor();
        assert.match(await choice.textContent(), /Answer with the model — downloads \d+ MB once/);
        await ask(page, q.question);
        assert.deepEqual(engineRequests, [], 'an answer without the choice fetches no model');
        await choice.locator('input').check();
        const modelAnswer = page.evaluate(() => new Promise((resolve, reject) => {
          const el = document.querySelector('tome-reader');
          el.addEventListener('model-answered', (e) => resolve(e.detail), { once: true });
          el.addEventListener('failed', (e) => reject(new Error(e.detail.error)), { once: true });
        }));
        const t0 = performance.now();
        await ask(page, q.question);
        const detail = await modelAnswer;
        console.log(`${site.name}: the model answered in ${Math.round(performance.now() - t0)} ms (download and load included): ${JSON.stringify(detail.text.slice(0, 160))}`);
        assert.ok(engineRequests.some((u) => u.endsWith('.gguf')), 'the model was downloaded once chosen');
        assert.ok(detail.text.trim().length > 0, 'the model wrote an answer');
        const href = await page.locator('tome-reader .model-sources a').first().getAttribute('href');
        assert.ok(q.gold.some((g) => new URL(href).pathname.endsWith(`/${g.page}`)), `the model read the gold page first (${href})`);
      });
    }

    test('no request left the site\'s origin', () => {
      assert.deepEqual(b.offOrigin, []);
    });
  });
}

// The widget over whole documentation sites: the Rust book (mdBook, from the Rust toolchain's
// docs) and Sphinx's own manual (Debian's sphinx-doc), each copied, packed and given the widget
// by `tome pack --inject`, and served as they are by `tome serve`. A question from the dev set
// (tests/eval/site-questions.jsonl) is asked; its citation's link must open the gold page at the
// gold section. Then the site works offline after that first visit, broken packs are explained in
// words while the page goes on working, and no request leaves the site's origin.

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
  { name: 'mdBook', dir: path.join(sysroot, 'share/doc/rust/html/book'), start: 'ch11-00-testing.html', question: 'rust-book-15' },
  { name: 'Sphinx', dir: '/usr/share/doc/sphinx-doc/html', start: 'usage/index.html', question: 'sphinx-01' },
];

/** Asks through the widget; resolves with the answer event's detail. */
async function ask(page, question) {
  const widget = page.locator('tome-reader');
  await widget.locator('input:not([disabled])').waitFor({ timeout: 60_000 });
  await widget.locator('input').fill(question);
  const answered = page.evaluate(() => new Promise((resolve) => document.querySelector('tome-reader')
    .addEventListener('answered', (e) => resolve({ ms: e.detail.ms, found: e.detail.answer.found }), { once: true })));
  await widget.locator('button[type=submit]').click();
  return answered;
}

for (const site of SITES) {
  describe(`the widget on a ${site.name} site`, () => {
    let tmp;
    let root;
    let server;
    let b;
    let page;
    const q = QUESTIONS.find((x) => x.id === site.question);

    before(async () => {
      assert.ok(existsSync(path.join(site.dir, 'index.html')), `${site.dir} is missing: run scripts/setup.sh`);
      tmp = mkdtempSync(path.join(tmpdir(), 'tome-site-'));
      root = path.join(tmp, 'site');
      cpSync(site.dir, root, { recursive: true, dereference: true });
      const t0 = performance.now();
      execFileSync(tomeBinary(), ['pack', root, '--inject'], { stdio: 'pipe' });
      console.log(`${site.name}: packed and injected in ${Math.round(performance.now() - t0)} ms`);
      // A page with two broken widgets: a pack that is not there, one from another tome version.
      mkdirSync(path.join(root, 'old-pack'));
      writeFileSync(path.join(root, 'old-pack/tome-pack.json'), JSON.stringify({ format: 0, tome: '0.0.1' }));
      writeFileSync(path.join(root, 'tome-bad.html'), `<!doctype html><html><head><meta charset="utf-8"><title>Host</title>
        <script type="module" src="tome/js/tome-reader.js"></script></head><body><h1>The host page</h1>
        <details id="host"><summary>More</summary><p>Host content</p></details>
        <tome-reader id="missing" pack="no-such-pack/"></tome-reader><tome-reader id="old" pack="old-pack/"></tome-reader></body></html>`);
      server = await serve(root);
      b = await browser(server.url.replace(/\/$/, ''));
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
      await widget.locator('input:not([disabled])').waitFor({ timeout: 60_000 });
      // The last word is still being typed: it stands for the words it begins.
      await widget.locator('input').pressSequentially(q.question.split(' ').slice(-3).join(' ').slice(0, -2), { delay: 20 });
      await widget.locator('.hits li a').first().waitFor();
      assert.ok((await widget.locator('.hits mark').count()) > 0);
      const href = await widget.locator('.hits li a').first().getAttribute('href');
      assert.ok(href.startsWith(server.url), href);
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

    test('no request left the site\'s origin', () => {
      assert.deepEqual(b.offOrigin, []);
    });
  });
}

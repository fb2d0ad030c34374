// The page in headless Chromium, as a person uses it: drop documents, read the outline, search,
// ask, click citations, go offline, break things. Screenshots go to tests/web/screenshots/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { openApp, evalDoc, groundTruth, questions, dropFile, pickFile, shot, SHOTS } from './harness.js';

let app;
let page;
const timings = {};

before(async () => {
  app = await openApp();
  page = app.page;
});

after(async () => {
  writeFileSync(path.join(SHOTS, 'timings.json'), JSON.stringify(timings, null, 2));
  await app?.close();
});

const items = () => page.locator('#reader [role=treeitem]');

/** Pre-order [title, level] of the outline tree as shown. */
function shownOutline() {
  return page.$$eval('#reader [role=treeitem]', (els) =>
    els.map((el) => [el.querySelector(':scope > .node .title').textContent, Number(el.getAttribute('aria-level'))]));
}

const norm = (s) => s.replace(/\s+/g, ' ').trim();

async function openTimed(label, open) {
  const t0 = Date.now();
  await open();
  await page.locator('#reader .doc-title', { hasText: label }).waitFor({ timeout: 120_000 });
  await items().first().waitFor({ timeout: 120_000 });
  timings[label] = { dropToOutlineMs: Date.now() - t0 };
  await page.locator('#reader .search input:not([disabled])').waitFor({ timeout: 120_000 });
  timings[label].dropToSearchableMs = Date.now() - t0;
}

test('the page loads with the drop zone and says what runs where', async () => {
  await page.locator('#drop').waitFor();
  // The backend comes from the worker (its wasm asks for a WebGPU device), a moment after load.
  await page.locator('#state', { hasText: /WebGPU|CPU/ }).waitFor({ timeout: 60_000 });
  const state = await page.locator('#state').textContent();
  assert.match(state, /WebGPU|CPU/);
  assert.match(state, /Model: not loaded/);
  await shot(page, '01-start');
});

test('R-intro.pdf dropped: its bookmarks nested as in the PDF, search, ask, citation on the page', async () => {
  await openTimed('R-intro.pdf', () => dropFile(page, evalDoc('pdf/R-intro.pdf')));
  const truth = groundTruth('pdf/R-intro.pdf').outline.map((n) => [norm(n.title), n.level]);
  const shown = (await shownOutline()).map(([t, l]) => [norm(t), l]);
  assert.equal(shown.length, 145);
  assert.deepEqual(shown, truth);
  await page.locator('#reader .sheet canvas').waitFor();
  await shot(page, '02-r-intro-outline');

  // The pager turns pages.
  await page.click('#reader .pager .next');
  await page.locator('#reader .sheet[data-page="2"]').waitFor();
  assert.equal(await page.inputValue('#reader .pager .page-no'), '2');

  // Keyboard: the tree opens with ArrowRight and moves down into the children.
  await items().first().focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  const opened = page.locator('#reader [role=treeitem][aria-expanded=true]');
  assert.equal(await opened.count(), 1);
  await page.keyboard.press('ArrowDown');
  const focused = await page.evaluate(() => document.activeElement.getAttribute('aria-level'));
  assert.equal(focused, '2');

  await page.fill('#reader .search input', 'data frame');
  await page.press('#reader .search input', 'Enter');
  const hit = page.locator('#reader .hits .hit').first();
  await hit.waitFor();
  assert.match((await page.locator('#reader .hits mark').first().textContent()).toLowerCase(), /data|frame/);
  await shot(page, '03-r-intro-search');
  // A hit opens its page with the passage marked.
  const hitPage = (await hit.locator('.where').textContent()).match(/p\. (\d+)/)[1];
  await hit.click();
  await page.locator(`#reader .sheet[data-page="${hitPage}"][data-highlighted=true]`).waitFor();

  await page.fill('#reader .ask input', 'How do I read data from a file into a data frame?');
  await page.press('#reader .ask input', 'Enter');
  const cite = page.locator('#reader .answer .cite').first();
  await cite.waitFor({ timeout: 60_000 });
  const citedPage = Number((await cite.getAttribute('aria-label')).match(/page (\d+)/)[1]);
  await cite.click();
  const sheet = page.locator(`#reader .sheet[data-page="${citedPage}"]`);
  await sheet.waitFor();
  assert.equal(await sheet.getAttribute('data-highlighted'), 'true');
  assert.ok((await page.locator('#reader .sheet .marks .mark').count()) > 0);
  await shot(page, '04-r-intro-citation');

  // Other sections that may answer are listed under the answer; one opens its page, marked.
  const related = page.locator('#reader .answer .see-also .related');
  assert.ok((await related.count()) >= 1, 'the answer lists other sections');
  const label = await related.first().textContent();
  const cited = await page.locator('#reader .answer .citations .where').first().textContent();
  assert.notEqual(label.split(' · ').slice(1).join(' · '), cited.split(' · ').slice(1).join(' · '), 'another section');
  const relatedPage = label.match(/p\. (\d+)/)[1];
  await related.first().click();
  await page.locator(`#reader .sheet[data-page="${relatedPage}"][data-highlighted=true]`).waitFor();
});

test('a novel: chapters listed, a needle question answered with a citation shown in the text', async () => {
  await openTimed('persuasion.txt', () => dropFile(page, evalDoc('novels/persuasion.txt')));
  const truth = groundTruth('novels/persuasion.txt').outline.map((n) => norm(n.title));
  const shown = (await shownOutline()).map(([t]) => norm(t));
  for (const title of truth) assert.ok(shown.includes(title), `chapter "${title}" is listed`);
  await shot(page, '05-novel-outline');

  const doc = 'needle/dev-quoref-01-persuasion.txt';
  await openTimed(path.basename(doc), () => pickFile(page, evalDoc(doc)));
  const q = questions(doc).find((x) => x.answerable);
  await page.fill('#reader .ask input', q.question);
  await page.press('#reader .ask input', 'Enter');
  const cites = page.locator('#reader .answer p .cite');
  await cites.first().waitFor({ timeout: 60_000 });
  const spans = await cites.evaluateAll((els) => els.map((e) => [Number(e.dataset.start), Number(e.dataset.end)]));
  const hitsEvidence = spans.some(([s, e]) => s < q.evidence.end && q.evidence.start < e);
  assert.ok(hitsEvidence, `a citation of "${q.question}" lies in the inserted passage`);
  const i = spans.findIndex(([s, e]) => s < q.evidence.end && q.evidence.start < e);
  await cites.nth(i).click();
  const mark = page.locator('#reader .text-page mark.cited');
  await mark.waitFor();
  assert.ok((await mark.textContent()).length > 20);
  await shot(page, '06-needle-citation');
});

test('a broken file and a scanned PDF get a clear message; the open document keeps working', async () => {
  const junk = path.join(tmpdir(), 'random-bytes.pdf');
  writeFileSync(junk, randomBytes(40_000));
  await pickFile(page, junk);
  const error = page.locator('#reader .error');
  await error.waitFor({ state: 'visible' });
  assert.match(await error.textContent(), /random-bytes\.pdf|PDF/);
  await shot(page, '07-broken-file');

  await dropFile(page, evalDoc('pdf/ocrmypdf-multipage-scan.pdf'));
  await page.locator('#reader .error', { hasText: /no text layer/i }).waitFor({ timeout: 60_000 });
  await shot(page, '08-scanned-pdf');

  // The needle novel from before is still open and searchable.
  await page.fill('#reader .search input', 'Captain Wentworth');
  await page.press('#reader .search input', 'Enter');
  await page.locator('#reader .hits .summary', { hasText: /passages? for “Captain Wentworth”/ }).waitFor();
});

test('Stop while a large file is read: the previous document is kept and still answers', async () => {
  await pickFile(page, evalDoc('pdf/fullrefman.pdf'));
  const stop = page.locator('#reader .progress .stop');
  await stop.waitFor({ state: 'visible' });
  await stop.click();
  await page.locator('#reader .error', { hasText: 'Stopped' }).waitFor();
  assert.match(await page.locator('#reader .doc-title').textContent(), /persuasion/);
  await page.fill('#reader .search input', 'Anne Elliot');
  await page.press('#reader .search input', 'Enter');
  await page.locator('#reader .hits .summary', { hasText: /passages? for “Anne Elliot”/ }).waitFor({ timeout: 60_000 });
});

test('fullrefman.pdf: a large manual opens to its outline', async () => {
  await openTimed('fullrefman.pdf', () => pickFile(page, evalDoc('pdf/fullrefman.pdf')));
  assert.equal(await items().count(), groundTruth('pdf/fullrefman.pdf').outline.length);
  // The first page of this PDF is drawn in place of the last one.
  await page.locator('#reader .sheet[data-page="1"] canvas').waitFor();
  assert.equal(await page.locator('#reader .error').isHidden(), true);
  await shot(page, '09-fullrefman');
});

test('offline: after one visit the app and the last document work without a network', async () => {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await app.context.setOffline(true);
  try {
    await page.reload();
    await page.locator('#reader .doc-title', { hasText: 'fullrefman.pdf' }).waitFor({ timeout: 60_000 });
    await page.locator('#reader .search input:not([disabled])').waitFor({ timeout: 120_000 });
    await page.fill('#reader .search input', 'linear model');
    await page.press('#reader .search input', 'Enter');
    await page.locator('#reader .hits .hit').first().waitFor();
    await page.locator('#reader .sheet canvas').waitFor();
    assert.match(await page.locator('#state').textContent(), /works offline/);
    // One versioned cache: the service worker keeps no stale copies.
    const keys = await page.evaluate(() => caches.keys());
    assert.equal(keys.filter((k) => k.startsWith('tome-')).length, 1, keys.join());
    await shot(page, '10-offline');
  } finally {
    await app.context.setOffline(false);
  }
});

test('"Open sample" opens the bundled R manual in one click', async () => {
  await page.click('#sample');
  await page.locator('#reader .doc-title', { hasText: 'R-intro.pdf' }).waitFor({ timeout: 60_000 });
  assert.equal(await items().count(), groundTruth('pdf/R-intro.pdf').outline.length);
  await page.locator('#reader .sheet canvas').waitFor();
});

test('no request left the origin', () => app.assertClean());

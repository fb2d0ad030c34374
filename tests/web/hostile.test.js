// Hostile inputs and data safety in the page (issue 11): the store keeps every document past its
// old limit of five; a forced failure while indexing leaves the previous document open; a bad
// model download does not poison the cache; a decompression bomb and a PDF nested millions deep
// inside an object stream leave the page working, saying what happened. The PDFs are built by
// scripts/hostile_inputs.py (from scratch, nothing downloaded).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, MODEL, openApp, inWorker, loadModel, openDoc, searchFor, dropFile, shot } from './harness.js';

let app;
let page;
let dir;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tome-hostile-web-'));
  execFileSync('python3', [path.join(ROOT, 'scripts/hostile_inputs.py'), '--only', 'pdf', dir]);
  app = await openApp({ open: '?test-hooks' });
  page = app.page;
});

after(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const title = () => page.locator('#reader .doc-title');

/** A small text document of its own (invented sentences), written to the temp folder. */
function note(i) {
  const file = path.join(dir, `note-${i}.txt`);
  writeFileSync(file, `Harbour note ${i}\n\nThe ferry number ${i} left at dawn with ${i + 3} crates of salt.\n`.repeat(4));
  return file;
}

test('seven documents are stored and all listed in Recent', async () => {
  for (let i = 1; i <= 7; i++) await openDoc(page, note(i));
  // Recent updates after each save; all seven are there (the old store stopped at the sixth).
  await page.waitForFunction(() => document.querySelectorAll('#recent option').length >= 8, null, { timeout: 30_000 });
  const names = await page.locator('#recent option').allTextContents();
  for (let i = 1; i <= 7; i++) assert.ok(names.includes(`note-${i}.txt`), `note-${i}.txt in ${names}`);
  // Two files with one name but other bytes are two documents.
  const other = path.join(dir, 'again');
  rmSync(other, { recursive: true, force: true });
  execFileSync('mkdir', ['-p', other]);
  writeFileSync(path.join(other, 'note-1.txt'), 'Harbour note one, another file\n\nOther bytes under the same name, read as their own document.\n');
  await dropFile(page, path.join(other, 'note-1.txt'));
  await page.waitForFunction(() => [...document.querySelectorAll('#recent option')].filter((o) => o.textContent === 'note-1.txt').length === 2,
    null, { timeout: 60_000 });
});

test('a failure while indexing leaves the previous document open and working', async () => {
  await openDoc(page, note(8));
  await page.evaluate(() => window.tomeTestHooks.panicOnNextIndex());
  await dropFile(page, note(9));
  const error = page.locator('#reader .error');
  await error.waitFor({ state: 'visible', timeout: 60_000 });
  assert.match(await title().textContent(), /note-8\.txt/);
  assert.equal(await page.evaluate(() => window.tomeTestHooks.currentName()), 'note-8.txt');
  // Search answers from the previous document, read again in the fresh worker (not note 9, and
  // not again and again: one restart).
  await page.locator('#reader .search input:not([disabled])').waitFor({ timeout: 60_000 });
  await searchFor(page, 'ferry');
  assert.match(await page.locator('#reader ol.hits').textContent(), /ferry number 8/);
  const starts = await page.evaluate(() => window.tomeTestHooks.workerStarts());
  await page.waitForTimeout(2000);
  assert.equal(await page.evaluate(() => window.tomeTestHooks.workerStarts()), starts, 'no restart loop');
  await shot(page, '30-indexing-failed-previous-kept');
});

test('a bad model response does not poison the cache', async () => {
  assert.ok(existsSync(MODEL), `the model is missing: ${MODEL} (scripts/setup.sh fetches it)`);
  const p = await app.newPage();
  // The first download is damaged on the way (a proxy's error page with a 200 status).
  await p.route('**/model/*.gguf', (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from('GGUF but not a model') }));
  await p.click('#reader .load-model');
  await p.locator('#reader .model-state[data-state=error]').waitFor({ timeout: 120_000 });
  await p.unroute('**/model/*.gguf');
  // Nothing bad was kept: a cached-only load finds nothing, and "Load model" now works.
  const [cached] = await inWorker(p, [['modelLoad', { cachedOnly: true }]]);
  assert.equal(cached.loaded, false, 'the damaged download was not cached');
  await loadModel(p);
  await p.close();
});

// The last is a fuzzer finding that makes pdf_oxide panic (a slice inside a UTF-8 character):
// natively the panic is caught; in wasm it aborts the instance, and the page must still say which
// file failed and why, in words.
const PANICS = path.join(ROOT, 'fuzz/regressions/pdf/pdf-oxide-object-keyword-char-boundary.pdf');
for (const [file, says] of [
  ['bomb.pdf', /none of its 40 pages could be read.*inflates to more than 64 MB/s],
  ['objstm-nesting.pdf', /nested more than 512 levels deep/],
  [PANICS, /^tome could not read "pdf-oxide-object-keyword-char-boundary\.pdf": tome's PDF reader \(pdf_oxide\) failed on it \(start byte index \d+ is not a char boundary\)\. The file is probably damaged[^\uFFFD]*restarted/],
]) {
  const name = path.basename(file);
  test(`${name}: the page survives and says what happened`, async () => {
    await openDoc(page, note(10));
    await dropFile(page, path.isAbsolute(file) ? file : path.join(dir, file));
    const error = page.locator('#reader .error');
    await error.waitFor({ state: 'visible', timeout: 120_000 });
    const message = await error.textContent();
    console.log(`# ${name}: ${message}`);
    assert.match(message, says);
    // The page still works: the previous document, its search.
    assert.match(await title().textContent(), /note-10\.txt/);
    await searchFor(page, 'crates');
    await shot(page, `31-${name.replace('.pdf', '')}`);
  });
}

// A panic inside wasm aborts the whole instance (no unwinding there). The page must restart the
// worker, say which file could not be read, and keep everything else: the open document, its
// outline, search, and opening other files.
//
// No real document we tried makes the reader panic (deeply nested PDF objects, absurd /Length,
// giant boxes, cyclic or 50,000-deep page trees, 100,000-deep bookmarks, huge Markdown and text
// files: all end in a worded error or open), so the panic is injected: the page opened with
// `?test-hooks` can ask the worker to call Tome.faultInjectionPanic, a real Rust panic in wasm,
// in place of reading the next file.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, inWorker, openDoc, searchFor, evalDoc, groundTruth, dropFile, shot } from './harness.js';

let app;
let page;

before(async () => {
  app = await openApp({ open: '?test-hooks' });
  page = app.page;
});

after(() => app?.close());

const items = () => page.locator('#reader [role=treeitem]');

test('a panic inside wasm while reading a file: worker restarted, the file named, the open document kept', async () => {
  await openDoc(page, evalDoc('pdf/R-intro.pdf'));
  const bookmarks = groundTruth('pdf/R-intro.pdf').outline.length;
  assert.equal(await items().count(), bookmarks);
  const starts = await page.evaluate(() => window.tomeTestHooks.workerStarts());

  // The next file's reading panics inside the wasm instance.
  await page.evaluate(() => window.tomeTestHooks.panicOnNextOpen());
  await dropFile(page, evalDoc('novels/persuasion.txt'));
  const error = page.locator('#reader .error');
  await error.waitFor({ state: 'visible', timeout: 60_000 });
  const message = await error.textContent();
  assert.match(message, /could not read "persuasion\.txt"/, message);
  assert.match(message, /internal error/, message);
  assert.match(message, /fault injection/, 'the panic\'s own message is passed on');
  assert.match(message, /restarted/, message);
  await shot(page, '11-reader-crashed');

  // A fresh worker replaced the dead one.
  assert.equal(await page.evaluate(() => window.tomeTestHooks.workerStarts()), starts + 1);
  // Everything else stays: the document, its outline, its page.
  assert.match(await page.locator('#reader .doc-title').textContent(), /R-intro\.pdf/);
  assert.equal(await items().count(), bookmarks);
  await page.locator('#reader .sheet canvas').first().waitFor();

  // Search works against the document, read again in the new worker.
  await searchFor(page, 'data frame');
  assert.match((await page.locator('#reader .hits mark').first().textContent()).toLowerCase(), /data|frame/);

  // And the file that failed opens now (the fault was injected once).
  await dropFile(page, evalDoc('novels/persuasion.txt'));
  await page.locator('#reader .doc-title', { hasText: 'persuasion.txt' }).waitFor({ timeout: 120_000 });
  const truth = groundTruth('novels/persuasion.txt').outline.length;
  assert.ok((await items().count()) >= truth, 'the novel\'s chapters are listed');
});

test('without ?test-hooks the worker refuses fault injection', async () => {
  const p = await app.newPage();
  await assert.rejects(inWorker(p, [['faultPanic', { name: 'x.pdf' }]]), /^Error: Fault injection is a test hook/);
  await p.close();
});

test('no request left the origin', () => app.assertClean());

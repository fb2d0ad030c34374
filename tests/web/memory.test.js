// "Read the whole document" in the page: the model reads the open document window by window with
// progress and Stop; what it read is kept on this device, so a reload resumes the reading where it
// stopped (without reading those windows again), a finished reading comes back after a reload
// without reading at all, and the model's answers read the document's memory before the passages.
// Saved as a .tome file, the reading answers in the CLI (`tome ask FILE.tome`), and the file opened in
// the page brings its document with the memory ready (on WebGPU too: forced, SwiftShader, the answer
// reads the memory there). Windows of 48 tokens (?memory-window=48) keep
// the reading short on one wasm thread.
// Skipped when assets/ has no model file (scripts/fetch-model.sh).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { openApp, openDoc, dropFile, noModel, shot, tomeBinary } from './harness.js';

const skip = noModel;
let app;
let page;
let dir;
let saved; // the reading saved as a .tome file by the first test

// An invented chronicle, a few windows long.
const CHRONICLE = [
  'THE SALT ROAD CHRONICLE',
  'The salt road from Ederly to the coast was paved in the reign of the lame queen, with stones cut at Brannock quarry.',
  'Travellers paid a toll of two copper bits at the Hare Bridge, where the keeper Osric Vane kept a bell to call the ferry.',
  'In the flood year the bridge lost its middle arch, and for three winters the carts forded the river at Millet Shallows.',
  'The inn at the crossroads, the Lantern and Key, brewed a dark ale from barley grown on the Ederly commons.',
  'Merchants carried salt inland and brought back wool, tin and, in good years, the blue glass of the hill towns.',
  'The last toll was taken in the spring the road was closed, when the new canal made the carts too slow to pay.',
].join('\n\n');

before(async () => {
  if (skip) return;
  dir = mkdtempSync(path.join(tmpdir(), 'tome-whole-'));
  writeFileSync(path.join(dir, 'salt-road.txt'), `${CHRONICLE}\n`);
  app = await openApp({ open: '?memory-window=48&test-hooks', model: true });
  page = app.page;
});

after(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const state = () => page.locator('#reader .whole-state');
const readButton = () => page.locator('#reader .read-whole');

/** The "window k of n" numbers the progress line shows while the reading runs, until it ends. */
function watchWindows() {
  const seen = [];
  const timer = setInterval(() => state().textContent().then((t) => {
    const m = t?.match(/window (\d+) of (\d+)/);
    if (m) seen.push(Number(m[1]));
  }, () => {}), 30);
  return { seen, stop: () => clearInterval(timer) };
}

test('the whole document is read with progress, stopped, resumed after a reload, and read from by answers', { skip }, async () => {
  await openDoc(page, path.join(dir, 'salt-road.txt'));
  await readButton().filter({ hasText: /^Read the whole document \(\d+ windows, [\d,]+ tokens\)$/ }).waitFor({ timeout: 120_000 });
  const windows = Number((await readButton().textContent()).match(/\((\d+) windows/)[1]);
  assert.ok(windows >= 4, `${windows} windows of 48 tokens`);

  // Read, then Stop after the first window: what was read is kept.
  await readButton().click();
  // Any window short of the last: one progress line can be replaced by the next before a locator looks.
  await page.waitForFunction((n) => {
    const m = document.querySelector('#reader .whole-state')?.textContent.match(/window (\d+) of (\d+) \(/);
    return m && Number(m[2]) === n && Number(m[1]) >= 1 && Number(m[1]) < n;
  }, windows, { timeout: 240_000, polling: 20 });
  await page.click('#reader .stop-whole');
  const resume = readButton().filter({ hasText: /^Resume reading the whole document \((\d+) of (\d+) windows read\)$/ });
  await resume.waitFor({ timeout: 120_000 });
  const kept = Number((await readButton().textContent()).match(/\((\d+) of/)[1]);
  assert.ok(kept >= 1 && kept < windows, `stopped after ${kept} of ${windows}`);
  assert.match(await state().textContent(), /kept on this device/);

  // A reload (the page reopens the document and the model from this device): the reading resumes.
  await page.reload();
  await page.locator('#reader .model-state[data-state=ready]').waitFor({ timeout: 300_000 });
  await resume.waitFor({ timeout: 120_000 });
  assert.match(await readButton().textContent(), new RegExp(`\\(${kept} of ${windows} windows read\\)`));
  const watch = watchWindows();
  await readButton().click();
  await page.locator('#reader .whole-state[data-state=read]').waitFor({ timeout: 300_000 });
  watch.stop();
  assert.ok(watch.seen.length > 0, 'the progress showed the windows');
  assert.ok(Math.min(...watch.seen) > kept, `the stored windows were not read again: saw ${watch.seen}`);
  assert.match(await state().textContent(), new RegExp(`^The whole document is read \\(${windows} windows, [\\d,]+ tokens, kept 1 in \\d+: [\\d.]+ MB`));
  assert.ok(await readButton().isHidden(), 'nothing left to read');
  await shot(page, '24-whole-document-read');

  // The model's answer reads the memory, then the passages, on the CPU.
  await page.fill('#reader .ask input', 'Who kept the bell at the Hare Bridge?');
  await page.press('#reader .ask input', 'Enter');
  await page.locator('#reader .reading-status', { hasText: "after the whole document's memory" }).waitFor({ timeout: 120_000 });
  await page.waitForFunction(() => (document.querySelector('#reader .reading-text')?.textContent ?? '').trim().split(/\s+/).length >= 2,
    null, { timeout: 240_000, polling: 200 });
  await page.click('#reader .stop-reading');
  await page.locator('#reader .reading-status', { hasText: /stopped|done|limit/ }).waitFor({ timeout: 60_000 });
  assert.match(await page.locator('#reader .reading-status').textContent(), /after the whole document's memory/);

  // Another reload: the finished reading is assembled from storage, not read again; Forget drops it.
  await page.reload();
  await page.locator('#reader .model-state[data-state=ready]').waitFor({ timeout: 300_000 });
  await page.locator('#reader .whole-state[data-state=read]').waitFor({ timeout: 120_000 });
  saved = path.join(dir, 'salt-road.txt.tome');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#reader .save-whole')]);
  assert.equal(download.suggestedFilename(), 'salt-road.txt.tome');
  await download.saveAs(saved);
  await page.click('#reader .forget-whole');
  await readButton().filter({ hasText: new RegExp(`^Read the whole document \\(${windows} windows`) }).waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('#reader .whole-state').getAttribute('data-state'), 'unread');

  // The saved file is a memory file the CLI searches and answers from (with the model that read it:
  // `tome ask` refuses a memory of another model's SHA-256).
  const tome = (...args) => execFileSync(tomeBinary(), args, { encoding: 'utf8' });
  assert.match(tome('search', saved, 'toll copper bits'), /Hare Bridge/);
  const cli = JSON.parse(tome('ask', saved, 'Where were the road stones cut?', '--json'));
  assert.equal(cli.mode, 'grounded', `the memory's answers come from the model: ${JSON.stringify(cli)}`);

  // And opened in the page, it brings its document with the memory ready, nothing read again.
  await dropFile(page, saved);
  await state().filter({ hasText: /^The whole document is read \(from salt-road\.txt\.tome\)/ }).waitFor({ timeout: 120_000 });
  assert.match(await page.locator('#reader .doc-title').textContent(), /^salt-road\.txt\.tome — 716 characters$/);
  await page.locator('#reader .view', { hasText: 'Osric Vane' }).waitFor({ timeout: 30_000 });
  assert.ok(await page.locator('#reader .save-whole').isHidden(), 'the file is what Save would give');
});

test('forced WebGPU: a .tome file opened, the answer reads its memory on the GPU', { skip }, async () => {
  assert.ok(saved, 'the first test saved the reading');
  const gpuPage = await app.newPage('?backend=gpu&memory-window=48');
  try {
    // The model comes from this browser's cache and goes to WebGPU (SwiftShader here).
    await gpuPage.locator('#reader .model-state[data-state=ready]', { hasText: 'on WebGPU' }).waitFor({ timeout: 300_000 });
    await dropFile(gpuPage, saved);
    await gpuPage.locator('#reader .whole-state', { hasText: /^The whole document is read \(from salt-road\.txt\.tome\)/ })
      .waitFor({ timeout: 300_000 });
    await gpuPage.fill('#reader .ask input', 'Who kept the bell at the Hare Bridge?');
    await gpuPage.press('#reader .ask input', 'Enter');
    await gpuPage.locator('#reader .reading-status', { hasText: /on WebGPU \(.+\), after the whole document's memory/ })
      .waitFor({ timeout: 120_000 });
    await gpuPage.waitForFunction(() => (document.querySelector('#reader .reading-text')?.textContent ?? '').trim().length > 0,
      null, { timeout: 540_000, polling: 500 });
    await gpuPage.click('#reader .stop-reading');
    await gpuPage.locator('#reader .reading-status', { hasText: /stopped|done|limit/ }).waitFor({ timeout: 120_000 });
    const status = await gpuPage.locator('#reader .reading-status').textContent();
    console.log(`# reading over the memory on WebGPU (SwiftShader): ${status}`);
    assert.match(status, /on WebGPU \(.+\), after the whole document's memory/, 'no fall back to the CPU');
  } finally {
    await gpuPage.close();
  }
});

test('stored readings: windows come back in order as far as they run on; old readings are pruned, the current one kept', { skip }, async () => {
  const result = await page.evaluate(async () => {
    const store = await import('./js/store.js');
    const bytes = (n) => new Uint8Array([n, n + 1, n + 2]);
    // Four readings written one after another, each with windows 0 and 1; "d" also has window 3 (a gap).
    for (const key of ['a', 'b', 'c', 'd']) {
      await store.keepWindow(key, 1, bytes(1));
      await store.keepWindow(key, 0, bytes(0));
      await new Promise((r) => setTimeout(r, 5));
    }
    await store.keepWindow('d', 3, bytes(3));
    const d = (await store.readingWindows('d')).map((r) => Array.from(r));
    // Reading "a" (the oldest) goes on: it and the two most recent others stay.
    await store.pruneReadings('a');
    const left = {};
    for (const key of ['a', 'b', 'c', 'd']) left[key] = (await store.readingWindows(key)).length;
    await store.forgetReading('a');
    left.aAfterForget = (await store.readingWindows('a')).length;
    for (const key of ['b', 'c', 'd']) await store.forgetReading(key);
    return { d, left };
  });
  assert.deepEqual(result.d, [[0, 1, 2], [1, 2, 3]], 'windows 0 and 1 in order; window 3 after a gap is not resumed');
  assert.deepEqual(result.left, { a: 2, b: 0, c: 2, d: 2, aAfterForget: 0 });
});

test('a Stop that reaches the worker while the reading waits behind a status still stops it', { skip }, async () => {
  // Another document (its own reading): the chronicle's paragraphs in the other order.
  const file = path.join(dir, 'salt-road-reversed.txt');
  writeFileSync(file, `${CHRONICLE.split('\n\n').reverse().join('\n\n')}\n`);
  await openDoc(page, file);
  await readButton().filter({ hasText: /^Read the whole document \(\d+ windows/ }).waitFor({ timeout: 120_000 });
  const read = await page.evaluate(() => window.tomeTestHooks.stopQueuedWhole(48));
  assert.deepEqual(read, { stopped: true, done: 0 });
});

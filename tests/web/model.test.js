// The language model in the browser (wasm, CPU, one thread): "Load model" downloads it with progress
// into the Cache API, its greedy continuation matches llama.cpp's, "Ask" streams its reading of the
// retrieved passages under the extractive answer (Stop works), and an offline reload finds it cached.
// Skipped when assets/ has no model file (scripts/fetch-model.sh).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openApp, inWorker, openDoc, noModel, evalDoc, questions, shot, ROOT } from './harness.js';

const GOLDEN = path.resolve(ROOT, '../shared/golden/smollm2-135m-q4_1.tokenize-greedy.llama-cpp.json');
const skip = noModel;

let app;
let page;

before(async () => {
  if (skip) return;
  app = await openApp();
  page = app.page;
});

after(() => app?.close());

const modelState = () => page.locator('#reader .model-state');

test('"Load model" downloads it with progress and says when it is ready', { skip }, async () => {
  assert.match(await modelState().textContent(), /Model: not loaded/);
  const seen = new Set();
  const watch = setInterval(() => modelState().getAttribute('data-state').then((s) => s && seen.add(s), () => {}), 50);
  await page.click('#reader .load-model');
  await page.locator('#reader .model-state[data-state=ready]').waitFor({ timeout: 300_000 });
  clearInterval(watch);
  assert.ok(seen.has('downloading') || seen.has('loading'), `states seen: ${[...seen]}`);
  assert.match(await page.locator('#state').textContent(), /Model: ready/);
  // Where it runs and why: a software WebGPU adapter (SwiftShader here) is kept off the model.
  assert.match(await modelState().textContent(),
    /on the CPU \((one thread|\d+ threads)\): (the only WebGPU adapter \(.+\) is a software fallback|this browser gives no WebGPU adapter)|on WebGPU \(.+\): a hardware WebGPU adapter/);
  assert.ok(await page.locator('#reader .load-model').isHidden(), 'the button goes once the model is ready');
});

test('greedy continuation of "The quick brown fox" equals llama.cpp\'s (first 8 tokens)', { skip }, async () => {
  const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')).greedy;
  const want = golden.steps.slice(0, 8).map((s) => s.id);
  // A second worker, as a fresh visit: it must find the model in this device's cache.
  const [loaded, ids] = await inWorker(page, [['modelLoad', { cachedOnly: true }], ['greedy', { prompt: golden.prompt, n: want.length }]]);
  assert.ok(loaded.loaded, 'the model was kept in the Cache API after the first load');
  assert.deepEqual(ids, want);
});

test('Ask with the model ready: extractive answer first, then the model streams its reading; Stop works', { skip }, async () => {
  const doc = 'needle/dev-quoref-01-persuasion.txt';
  await openDoc(page, evalDoc(doc), { pick: true });
  const q = questions(doc).find((x) => x.answerable);
  await page.fill('#reader .ask input', q.question);
  await page.press('#reader .ask input', 'Enter');
  await page.locator('#reader .answer p .cite').first().waitFor({ timeout: 60_000 });
  const reading = page.locator('#reader .answer .reading');
  await reading.waitFor();
  // The passages given to the model are listed as numbered sources.
  await reading.locator('.reading-sources li').first().waitFor({ timeout: 60_000 });
  assert.match(await reading.locator('.reading-sources li').first().textContent(), /^\[1\] \S/);
  // The first tokens arrive after the prompt is read (tens of seconds on one wasm thread).
  await page.waitForFunction(() => (document.querySelector('#reader .reading-text')?.textContent ?? '').trim().split(/\s+/).length >= 3,
    null, { timeout: 240_000, polling: 200 });
  await page.click('#reader .stop-reading');
  await page.locator('#reader .reading-status', { hasText: /stopped|done|limit/ }).waitFor({ timeout: 30_000 });
  assert.ok(await page.locator('#reader .answer p .cite').first().isVisible(), 'the cited evidence stays shown');
  assert.match(await modelState().textContent(), /ready/, 'Stop keeps the model loaded');
  await shot(page, '20-model-reading');
});

test('offline reload: the model is ready again from the cache', { skip }, async () => {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await app.context.setOffline(true);
  try {
    await page.reload();
    await page.locator('#reader .model-state[data-state=ready]').waitFor({ timeout: 120_000 });
  } finally {
    await app.context.setOffline(false);
  }
});

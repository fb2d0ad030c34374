// The model's reading on WebGPU in headless Chromium (SwiftShader), forced with ?backend=gpu (the page
// itself keeps a software adapter off the model: the wasm CPU path is faster there): the page says the
// model runs on WebGPU, a needle question on a novel gets the extractive answer with a citation and the
// model's reading streams from the GPU. Then the worker's GPU device is destroyed for real
// (GPUDevice.destroy(), a test hook): the page says WebGPU failed, the same answer goes on on the CPU,
// and the next question is read on the CPU with the document still open.
// Skipped when assets/ has no model file (scripts/fetch-model.sh).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { serve, browser, evalDoc, questions, pickFile, shot, ROOT } from './harness.js';

const MODEL = path.join(ROOT, 'assets/SmolLM2-135M-Instruct.Q4_1.gguf');
const skip = existsSync(MODEL) ? false : 'no model in assets/ (run scripts/fetch-model.sh)';

let server;
let b;
let page;

before(async () => {
  if (skip) return;
  server = await serve();
  b = await browser(server.url.replace(/\/$/, ''));
  page = await b.context.newPage();
  await page.goto(`${server.url}?backend=gpu&test-hooks`);
});

after(async () => {
  await b?.close();
  server?.stop();
});

const modelState = () => page.locator('#reader .model-state');
const words = (sel) => page.evaluate((s) => (document.querySelector(s)?.textContent ?? '').trim().split(/\s+/).filter(Boolean).length, sel);

test('forced WebGPU: the page says the model runs there, and a needle question streams a reading from the GPU', { skip }, async () => {
  await page.click('#reader .load-model');
  await page.locator('#reader .model-state[data-state=ready]').waitFor({ timeout: 300_000 });
  assert.match(await modelState().textContent(), /on WebGPU \([^)]+\): \?backend=gpu asks for it/);
  assert.match(await page.locator('#state').textContent(), /Model: ready \(SmolLM2-135M on WebGPU/);

  const doc = 'needle/dev-quoref-01-persuasion.txt';
  await pickFile(page, evalDoc(doc));
  await page.locator('#reader .search input:not([disabled])').waitFor({ timeout: 120_000 });
  const q = questions(doc).find((x) => x.answerable);
  await page.fill('#reader .ask input', q.question);
  await page.press('#reader .ask input', 'Enter');
  await page.locator('#reader .answer p .cite').first().waitFor({ timeout: 60_000 });
  const reading = page.locator('#reader .answer .reading').last();
  await reading.locator('.reading-sources li').first().waitFor({ timeout: 60_000 });
  assert.match(await reading.locator('.reading-sources li').first().textContent(), /^\[1\] \S/);
  await reading.locator('.reading-status', { hasText: /on WebGPU/ }).waitFor({ timeout: 60_000 });
  // Let it finish (or reach its length limit): the whole answer comes from the GPU.
  await reading.locator('.reading-status', { hasText: /done|limit/ }).waitFor({ timeout: 540_000 });
  const status = await reading.locator('.reading-status').textContent();
  console.log(`# reading on WebGPU (SwiftShader): ${status}`);
  assert.match(status, /on WebGPU/);
  assert.ok(await words('#reader .reading-text') >= 3, 'the model wrote an answer on the GPU');
  assert.equal(await reading.locator('.reading-backend').count(), 0, 'no fallback happened');
  // The citation of the extractive answer still shows its span.
  await page.locator('#reader .answer p .cite').first().click();
  await page.locator('#reader mark, #reader .hl').first().waitFor({ timeout: 30_000 }).catch(() => {});
  await shot(page, '30-gpu-reading');
});

test('a real device loss during the reading: the page says so, the CPU continues it and reads later questions', { skip }, async () => {
  const doc = 'needle/dev-quoref-01-persuasion.txt';
  const qs = questions(doc).filter((x) => x.answerable);
  await page.fill('#reader .ask input', qs[0].question);
  await page.press('#reader .ask input', 'Enter');
  const reading = page.locator('#reader .answer .reading').last();
  await reading.locator('.reading-status', { hasText: /on WebGPU/ }).waitFor({ timeout: 60_000 });
  assert.equal(await page.evaluate(() => window.tomeTestHooks.destroyGpuDevice()), true, 'the hook found the GPU device');
  await reading.locator('.reading-backend').waitFor({ timeout: 120_000 });
  assert.match(await reading.locator('.reading-backend').textContent(), /WebGPU failed while reading \(.*\); the CPU took over/);
  assert.match(await modelState().textContent(), /ready \(SmolLM2-135M on the CPU \((one thread|\d+ threads)\): WebGPU failed/);
  // The CPU reads the prompt again and writes on.
  await page.waitForFunction(() => ([...document.querySelectorAll('#reader .answer .reading-text')].at(-1)?.textContent ?? '').trim().split(/\s+/).length >= 3,
    null, { timeout: 300_000, polling: 500 });
  // The CPU may finish the short answer before the click: Stop is pressed only while it is there.
  await page.locator('#reader .stop-reading').click({ timeout: 2_000 }).catch(() => {});
  await reading.locator('.reading-status', { hasText: /stopped|done|limit/ }).waitFor({ timeout: 30_000 });
  await shot(page, '31-gpu-lost-cpu-continues');

  // The next question: same document, read on the CPU from the start.
  await page.fill('#reader .ask input', (qs[1] ?? qs[0]).question);
  await page.press('#reader .ask input', 'Enter');
  const next = page.locator('#reader .answer .reading').last();
  await next.locator('.reading-status', { hasText: /on the CPU/ }).waitFor({ timeout: 120_000 });
  assert.ok(await page.locator('#reader .answer p .cite').first().isVisible(), 'the document is still open and cited');
  await page.locator('#reader .stop-reading').click({ timeout: 2_000 }).catch(() => {});
});

test('no request left the origin', { skip }, () => {
  assert.deepEqual(b.offOrigin, []);
  assert.deepEqual(b.errors, []);
});

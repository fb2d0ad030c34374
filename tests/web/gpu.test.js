// WebGPU in headless Chromium (`--enable-unsafe-webgpu`: a SwiftShader adapter): the worker's wasm
// creates the GPU device through wgpu, the page names the adapter, and a kernel from shaders/ runs on
// it with its result checked in Rust against the CPU twin on random input (odd sizes cross workgroup
// edges); then the whole model runs on WebGPU and its logits are checked against the native f32
// reference. The same Rust and WGSL run natively on lavapipe in `cargo test`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openApp, inWorker, noModel, ROOT } from './harness.js';

const GOLDEN = path.resolve(ROOT, '../shared/golden');

let app;
let page;

before(async () => {
  app = await openApp();
  page = app.page;
});

after(() => app?.close());

test('the page names the WebGPU adapter the worker got', async () => {
  await page.locator('#state', { hasText: /WebGPU \(|CPU \(/ }).waitFor({ timeout: 60_000 });
  const state = await page.locator('#state').textContent();
  // Chromium with --enable-unsafe-webgpu always has SwiftShader; a CPU label here is a failure.
  assert.match(state, /WebGPU \([^)]+\)/, state);
});

test('a WebGPU kernel in the worker equals its CPU twin (residual add, random input)', async () => {
  const sizes = [[1, 1], [257, 2], [4099, 3], [1_000_003, 4]];
  const [info, ...checks] = await inWorker(page, [['gpuInfo', {}], ...sizes.map(([n, seed]) => ['gpuCheck', { n, seed }])]);
  const got = { info, checks };
  assert.ok(got.info.ok, `a WebGPU device: ${got.info.reason}`);
  assert.match(got.info.backend, /WebGpu/i, got.info.backend);
  assert.ok(got.info.label.length > 0, 'the adapter has a name to show');
  for (const c of got.checks) {
    assert.equal(c.kernel, 'add');
    assert.equal(c.mismatches, 0, `n = ${c.n}: ${c.mismatches} values differ (max ${c.max_abs_diff})`);
    assert.equal(c.adapter, got.info.name);
  }
  assert.deepEqual(got.checks.map((c) => c.n), [1, 257, 4099, 1_000_003]);
});

// The GPU forward mirrors the CPU's exact f32 path, so its reference is the f32 reference logits
// of the golden files (a plain forward with dequantized weights), not llama.cpp's quantized ones.
test('the whole model on WebGPU: "The quick brown fox" logits match the native f32 reference', { skip: noModel }, async () => {
  const plain = JSON.parse(readFileSync(path.join(GOLDEN, 'smollm2-135m-q4_1.llama-cpp.json'), 'utf8')).plain;
  const ref = new Float32Array(readFileSync(path.join(GOLDEN, 'quick_brown_fox.f32ref.logits.f32le')).buffer.slice(0));
  const [, gpu, { ids, logits }] = await inWorker(page, [['modelLoad', {}], ['gpuModelLoad', { nCtx: 64 }], ['gpuLogits', { text: plain.prompt }]]);
  const got = { gpu, ids, logits };
  assert.deepEqual(got.ids, plain.token_ids, 'same tokenization as llama.cpp');
  assert.equal(got.logits.length, ref.length);
  assert.ok(got.logits.every(Number.isFinite), 'finite logits');
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < ref.length; i++) {
    dot += got.logits[i] * ref[i];
    na += got.logits[i] ** 2;
    nb += ref[i] ** 2;
  }
  const cosine = dot / Math.sqrt(na * nb);
  const top5 = (xs) => [...xs.keys()].sort((a, b) => xs[b] - xs[a] || a - b).slice(0, 5);
  console.log(`# WebGPU (${got.gpu.adapter || 'browser adapter'}) logits vs f32 reference: cosine ${cosine.toFixed(7)}, GPU memory ${got.gpu.memory_bytes} bytes`);
  assert.ok(cosine >= 0.9999, `cosine ${cosine}`);
  assert.deepEqual(top5(got.logits), top5(Array.from(ref)), 'same top-5, in order');
});

test('no request left the origin', () => app.assertClean());

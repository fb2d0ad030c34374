// WebGPU in headless Chromium (`--enable-unsafe-webgpu`: a SwiftShader adapter): the worker's wasm
// creates the GPU device through wgpu, the page names the adapter, and a kernel from shaders/ runs on
// it with its result checked in Rust against the CPU twin on random input (odd sizes cross workgroup
// edges). The same Rust and WGSL run natively on lavapipe in `cargo test`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, browser } from './harness.js';

let server;
let b;
let page;

before(async () => {
  server = await serve();
  b = await browser(server.url.replace(/\/$/, ''));
  page = await b.context.newPage();
  await page.goto(server.url);
});

after(async () => {
  await b?.close();
  server?.stop();
});

test('the page names the WebGPU adapter the worker got', async () => {
  await page.locator('#state', { hasText: /WebGPU \(|CPU \(/ }).waitFor({ timeout: 60_000 });
  const state = await page.locator('#state').textContent();
  // Chromium with --enable-unsafe-webgpu always has SwiftShader; a CPU label here is a failure.
  assert.match(state, /WebGPU \([^)]+\)/, state);
});

test('a WebGPU kernel in the worker equals its CPU twin (residual add, random input)', async () => {
  const got = await page.evaluate(async () => {
    const { WorkerClient } = await import('./js/client.js');
    const client = new WorkerClient();
    try {
      const info = await client.call('gpuInfo', {});
      const checks = [];
      for (const [n, seed] of [[1, 1], [257, 2], [4099, 3], [1_000_003, 4]]) checks.push(await client.call('gpuCheck', { n, seed }));
      return { info, checks };
    } finally {
      client.worker.terminate();
    }
  });
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

test('no request left the origin', () => {
  assert.deepEqual(b.offOrigin, []);
  assert.deepEqual(b.errors, []);
});

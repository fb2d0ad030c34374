// The wasm CPU kernels where they run, in the page's worker: the SIMD128 set against its scalar twin on
// seeded random blocks and vectors (cpu::check, run inside the app's wasm), and the model's greedy ids
// identical with the SIMD128 and the scalar kernels. The model test is skipped when assets/ has no
// model file (scripts/fetch-model.sh); the kernel check needs none.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { serve, browser, ROOT } from './harness.js';

const MODEL = path.join(ROOT, 'assets/SmolLM2-135M-Instruct.Q4_1.gguf');
const noModel = existsSync(MODEL) ? false : 'no model in assets/ (run scripts/fetch-model.sh)';

// SIMD128 promises the scalar twin's bits for every kernel (same operations in the same order, no
// fused multiply-add: see simd_wasm.rs), which is what keeps greedy ids identical.
const KERNELS = ['tile_q4_0', 'tile_q4_1', 'tile_q8_0', 'quantize_q8', 'dot_f32', 'dot_f16_f32', 'axpy_f16',
  'dot_f16_heads', 'axpy_f16_heads', 'attend_group'];

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

/** Runs `calls` ([kind, args] pairs) in order in a fresh worker; resolves with their results. */
function inWorker(calls) {
  return page.evaluate(async (calls) => {
    const { WorkerClient } = await import('./js/client.js');
    const client = new WorkerClient();
    try {
      const out = [];
      for (const [kind, args] of calls) out.push(await client.call(kind, args));
      return out;
    } finally {
      client.worker.terminate();
    }
  }, calls);
}

test('the SIMD128 kernels match their scalar twins on random inputs, inside the browser', async () => {
  const reports = await inWorker([['kernelCheck', { seed: 1 }], ['kernelCheck', { seed: 7 }]]);
  for (const report of reports) {
    assert.equal(report.isa, 'simd128', 'the app is built with SIMD128 (scripts/build-web.sh)');
    assert.deepEqual(report.kernels.map((k) => k.kernel).sort(), [...KERNELS].sort());
    for (const k of report.kernels) {
      assert.ok(k.compared >= 3, `${k.kernel}: nothing compared`);
      assert.equal(k.bit_mismatches, 0, `${k.kernel} (seed ${report.seed}): ${JSON.stringify(k)}`);
    }
  }
});

test('greedy ids are identical with the SIMD128 and the scalar kernels', { skip: noModel }, async () => {
  // Long enough that prefill runs the 4-token tiles as well as the decode shape.
  const prompt = 'The night ferry left the harbour late, so the lighthouse keeper wrote in his log that';
  const n = 24;
  const [loaded, simd, previous, scalar] = await inWorker([
    ['modelLoad', {}],
    ['greedy', { prompt, n }],
    ['setKernels', { name: 'scalar' }],
    ['greedy', { prompt, n }],
  ]);
  assert.ok(loaded.loaded);
  assert.equal(previous, 'simd128');
  assert.equal(simd.length, n);
  assert.deepEqual(scalar, simd);
});

test('an unknown kernel set is refused in words', async () => {
  const err = await page.evaluate(async () => {
    const { WorkerClient } = await import('./js/client.js');
    const client = new WorkerClient();
    try {
      await client.call('setKernels', { name: 'avx2' });
      return null;
    } catch (e) {
      return e.message;
    } finally {
      client.worker.terminate();
    }
  });
  assert.match(err ?? '', /no CPU kernel set "avx2" in this build; it has scalar, simd128/);
});

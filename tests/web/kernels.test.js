// The wasm CPU kernels where they run, in the page's worker: the SIMD128 set against its scalar twin on
// seeded random blocks and vectors (cpu::check, run inside the app's wasm), and the model's greedy ids
// identical with the SIMD128 and the scalar kernels. The model test is skipped when assets/ has no
// model file (scripts/fetch-model.sh); the kernel check needs none.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, inWorker, noModel } from './harness.js';

// SIMD128 promises the scalar twin's bits for every kernel (same operations in the same order, no
// fused multiply-add: see simd_wasm.rs), which is what keeps greedy ids identical.
const KERNELS = ['tile_q4_0', 'tile_q4_1', 'tile_q8_0', 'quantize_q8', 'dot_f32', 'dot_f16_f32', 'axpy_f16',
  'dot_f16_heads', 'axpy_f16_heads', 'attend_group'];

let app;
let page;

before(async () => {
  app = await openApp();
  page = app.page;
});

after(() => app?.close());

test('the SIMD128 kernels match their scalar twins on random inputs, inside the browser', async () => {
  const reports = await inWorker(page, [['kernelCheck', { seed: 1 }], ['kernelCheck', { seed: 7 }]]);
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
  const [loaded, simd, previous, scalar] = await inWorker(page, [
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
  await assert.rejects(inWorker(page, [['setKernels', { name: 'avx2' }]]), /no CPU kernel set "avx2" in this build; it has scalar, simd128/);
});

// The benchmark page: loads the model in the worker, times prefill and decode there, shows the
// numbers and leaves them in window.benchResult (scripts/bench-web.mjs reads that).

import { WorkerClient } from './client.js';
import { KINDS } from './protocol.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const prefill = Number(params.get('prefill')) || 128;
const decode = Number(params.get('decode')) || 32;
$('n-prefill').textContent = prefill;
$('n-decode').textContent = decode;

async function main() {
  const client = new WorkerClient();
  const t0 = performance.now();
  await client.call(KINDS.modelLoad, {}, {
    onProgress: (p) => ($('state').textContent = `Model: ${p.label}${p.fraction != null ? ` ${Math.floor(p.fraction * 100)}%` : ''}`),
  });
  const loadMs = performance.now() - t0;
  $('state').textContent = 'Model ready; measuring…';
  const r = await client.call(KINDS.bench, { prefill, decode });
  const result = { engine: 'tome wasm cpu, 1 thread', load_ms: Math.round(loadMs), ...r, user_agent: navigator.userAgent };
  $('result').textContent = JSON.stringify(result, null, 2);
  $('state').textContent = `Prefill ${r.prefill_tok_s.toFixed(1)} tok/s, decode ${r.decode_tok_s.toFixed(1)} tok/s`;
  window.benchResult = result;
}

main().catch((e) => {
  $('state').textContent = `Failed: ${e.message}`;
  window.benchResult = { error: e.message };
});

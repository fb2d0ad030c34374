// The model file: fetched once from this origin with progress, kept in the Cache API so later
// visits (and offline ones) load it from this device. Runs in the worker.

export const MODEL_URL = new URL('../model/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url).href;
const CACHE = 'model-cache-v1';

/** The model's bytes, from the cache or the network; null when `cachedOnly` and not cached. */
export async function fetchModel(url = MODEL_URL, { cachedOnly = false, onProgress = () => {} } = {}) {
  const cache = 'caches' in self ? await caches.open(CACHE) : null;
  const hit = await cache?.match(url);
  if (hit) {
    onProgress({ stage: 'download', label: 'reading from this device', fraction: 1, cached: true });
    return new Uint8Array(await hit.arrayBuffer());
  }
  if (cachedOnly) return null;
  const res = await fetch(url);
  if (!res.ok) {
    throw new Error(`the model file is not available (HTTP ${res.status} for ${url}); ` +
      'put SmolLM2-135M-Instruct.Q4_1.gguf in assets/ (scripts/fetch-model.sh) and reload');
  }
  const total = Number(res.headers.get('content-length')) || 0;
  const bytes = new Uint8Array(total || 0);
  const chunks = [];
  let got = 0;
  const reader = res.body.getReader();
  let lastReport = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total && got + value.length <= total) bytes.set(value, got);
    else chunks.push(value);
    got += value.length;
    const now = performance.now();
    if (now - lastReport > 100) {
      lastReport = now;
      onProgress({ stage: 'download', label: 'downloading', fraction: total ? got / total : 0, bytes: got, total });
    }
  }
  let all = bytes;
  if (!total || got !== total) {
    all = new Uint8Array(got);
    let at = 0;
    for (const c of [bytes.subarray(0, Math.min(got, total)), ...chunks]) {
      all.set(c, at);
      at += c.length;
    }
  }
  try {
    await cache?.put(url, new Response(all, { headers: { 'content-type': 'application/octet-stream' } }));
  } catch {
    // Storage full: the model works now, it is just downloaded again next time.
  }
  return all;
}

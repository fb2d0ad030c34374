// The model file: fetched once from this origin with progress, kept in the Cache API so later
// visits (and offline ones) load it from this device. Runs in the worker.
//
// The cache never holds a bad model: bytes are stored only after the model loaded from them
// (`keepModel`), with their SHA-256; a cached copy whose bytes no longer match it, or that fails
// to load, is deleted (`forgetModel`) so the next try downloads it again. The cache is versioned
// by name: another layout gets another cache and the old one is dropped, never the documents.

export const MODEL_URL = new URL('../model/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url).href;
const CACHE = 'model-cache-v2';
const OLD_CACHES = ['model-cache-v1'];

async function openCache() {
  if (!('caches' in self)) return null;
  for (const old of OLD_CACHES) await caches.delete(old).catch(() => {});
  return caches.open(CACHE);
}

async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The model's bytes, from the cache (checked against their SHA-256) or the network; null when
 * `cachedOnly` and not cached. `fromCache` says which, so a failed load can forget the copy.
 */
export async function fetchModel(url = MODEL_URL, { cachedOnly = false, onProgress = () => {} } = {}) {
  const cache = await openCache().catch(() => null);
  const hit = await cache?.match(url);
  if (hit) {
    onProgress({ stage: 'download', label: 'reading from this device', fraction: 1, cached: true });
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if (hit.headers.get('x-sha256') === (await sha256(bytes))) return Object.assign(bytes, { fromCache: true });
    await cache.delete(url); // damaged or from an older cache: fetch it again
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
  return all;
}

/** Keeps bytes that just loaded as a model, under their SHA-256, for the next visit. */
export async function keepModel(bytes, url = MODEL_URL) {
  if (bytes.fromCache) return;
  try {
    const cache = await openCache();
    const headers = { 'content-type': 'application/octet-stream', 'x-sha256': await sha256(bytes) };
    await cache?.put(url, new Response(bytes, { headers }));
  } catch {
    // Storage full: the model works now, it is just downloaded again next time.
  }
}

/** Drops the cached model (it failed to load): the next try downloads it again. */
export async function forgetModel(url = MODEL_URL) {
  const cache = await openCache().catch(() => null);
  await cache?.delete(url).catch(() => {});
}

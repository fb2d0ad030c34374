// The service worker: precaches the app shell, the wasm module, pdf.js and the sample under a
// versioned cache (the version changes whenever a built file does, see scripts/build-web.sh),
// deletes stale versions on activate, and serves same-origin GETs cache-first, adding what it
// fetches (pdf.js character maps, fonts) so later visits work offline. What it serves carries COOP/COEP,
// so on a static host that does not send them (GitHub Pages, a documentation site) the app is
// cross-origin isolated from the second visit on, and the model gets its threads (js/threads.js).

importScripts('./pkg/build.js');

const CACHE = `tome-${self.TOME_BUILD.version}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(['./', ...self.TOME_BUILD.files])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('tome-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

/** The response with the headers that make a page cross-origin isolated, unless it has them (tome serve). */
function isolated(res) {
  if (!['basic', 'default'].includes(res.type) || res.headers.has('Cross-Origin-Embedder-Policy')) return res;
  const headers = new Headers(res.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/**
 * A cached file served for a request with a query (`js/worker.js?backend=gpu`), re-made without the
 * cached file's URL: a worker's location is its script response's URL, so the cached one would drop
 * the query (?backend=, ?test-hooks) the page passed on.
 */
function asRequested(res, request) {
  if (res.url === request.url) return res;
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  // The model (98 MB) has its own cache, filled by the worker on "Load model" (see js/model.js).
  if (url.pathname.includes('/model/')) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const hit = await cache.match(event.request, { ignoreSearch: true });
      if (hit) return isolated(asRequested(hit, event.request));
      const res = await fetch(event.request);
      if (res.ok && res.type === 'basic') cache.put(event.request, res.clone());
      return isolated(res);
    }),
  );
});

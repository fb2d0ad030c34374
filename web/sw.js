// The service worker: precaches the app shell, the wasm module, pdf.js and the sample under a
// versioned cache (the version changes whenever a built file does, see scripts/build-web.sh),
// deletes stale versions on activate, and serves same-origin GETs cache-first, adding what it
// fetches (pdf.js character maps, fonts) so later visits work offline.

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

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  // The model (98 MB) has its own cache, filled by the worker on "Load model" (see js/model.js).
  if (url.pathname.includes('/model/')) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const hit = await cache.match(event.request, { ignoreSearch: true });
      if (hit) return hit;
      const res = await fetch(event.request);
      if (res.ok && res.type === 'basic') cache.put(event.request, res.clone());
      return res;
    }),
  );
});

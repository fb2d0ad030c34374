// The service worker a documentation site gets from `tome pack --inject` (and from
// <tome-reader pack offline>), served from the site's folder so it covers every page: pages and
// the widget are fetched from the network and kept; offline, what was kept answers. Pack shards
// have content-hashed names, so a kept one is always right: those are served from the cache first.

const CACHE = 'tome-site-1';

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('tome-site-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function keep(request, response) {
  if (response.ok && response.type === 'basic') {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.endsWith('.tome')) {
    event.respondWith(caches.match(request).then((hit) => hit ?? fetch(request).then((res) => keep(request, res))));
    return;
  }
  event.respondWith(
    fetch(request)
      .then((res) => keep(request, res))
      .catch(async (error) => (await caches.match(request, { ignoreSearch: true })) ?? Promise.reject(error)),
  );
});

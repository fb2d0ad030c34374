#!/usr/bin/env node
// The model's speed in headless Chromium (Debian's /usr/bin/chromium, the tests' set-up): tome's wasm
// CPU path next to wllama (npm @wllama/wllama, llama.cpp in wasm) on the same GGUF, the same prompt
// token ids and the same decode length, with one thread and with two (tome's threaded build; the page is
// cross-origin isolated; BENCH_QUERY='&threads=1' for one only), then tome's time to the first answer
// token of a real reading prompt with each thread count (tome_ttft_1t, tome_ttft_2t). BENCH_QUERY='&engines=tome,tome-scalar,wllama,ttft' also times tome's scalar kernels. Prints JSON: medians per engine and tome/wllama ratios (see web/js/bench.js).
//   node scripts/bench-web.mjs [prefill=128] [decode=64] [reps=3]
// Needs scripts/build-web.sh, npm ci (wllama is a devDependency) and assets/SmolLM2-135M-Instruct.Q4_1.gguf.
//
// It serves the app itself rather than through `tome serve`: wllama starts its worker (and its
// pthreads) from blob: URLs, which the app's policy (worker-src 'self') refuses. This server sends the
// same policy with `worker-src 'self' blob:` (a blob: URL is this page's own memory, not another
// origin), COOP/COEP for SharedArrayBuffer, and wllama's files from node_modules at /vendor/wllama/.
// Every request still goes to this origin only; the browser guard of the tests records any other.

import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { browser, ROOT } from '../tests/web/harness.js';

const [prefill = 128, decode = 64, reps = 3] = process.argv.slice(2).map(Number);

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; " +
  "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'";
const MOUNTS = [
  ['/vendor/wllama/', path.join(ROOT, 'node_modules/@wllama/wllama/esm/')],
  ['/model/', path.join(ROOT, 'assets/')],
  ['/', path.join(ROOT, 'web/')],
];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.webmanifest': 'application/manifest+json' };

async function file(urlPath) {
  const [prefix, dir] = MOUNTS.find(([p]) => urlPath.startsWith(p));
  const full = path.resolve(dir, decodeURIComponent(urlPath.slice(prefix.length)));
  if (!full.startsWith(dir)) return null;
  const s = await stat(full).catch(() => null);
  if (!s) return null;
  return s.isDirectory() ? file(path.posix.join(urlPath, 'index.html')) : { full, body: await readFile(full) };
}

const server = http.createServer(async (req, res) => {
  const found = await file(new URL(req.url, 'http://x').pathname).catch(() => null);
  const headers = { 'Content-Security-Policy': CSP, 'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' };
  if (!found) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(found.full)] ?? 'application/octet-stream',
    'Content-Length': found.body.length });
  res.end(req.method === 'HEAD' ? undefined : found.body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const b = await browser(origin);
try {
  const page = await b.context.newPage();
  page.on('console', (m) => (process.env.BENCH_QUERY || m.type() === "error") && console.error(`page: ${m.text()}`));
  await page.goto(`${origin}/bench.html?prefill=${prefill}&decode=${decode}&reps=${reps}${process.env.BENCH_QUERY ?? ""}`);
  await page.waitForFunction(() => window.benchResult, null, { timeout: 1_800_000, polling: 500 });
  const result = await page.evaluate(() => window.benchResult);
  result.wllama_package = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/@wllama/wllama/package.json'), 'utf8')).version;
  result.off_origin_requests = b.offOrigin;
  console.log(JSON.stringify(result, null, 2));
  if (result.error || b.offOrigin.length) process.exitCode = 1;
} finally {
  await b.close();
  server.close();
}

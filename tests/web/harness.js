// Shared set-up for the browser tests: `tome serve` on a free port, Debian's Chromium driven by
// playwright-core in a fresh profile, a guard that records (and blocks) any request that leaves
// the app's origin, and helpers to open documents the way a person does.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const EVAL = path.resolve(ROOT, '../shared/eval');
export const SHOTS = path.join(ROOT, 'tests/web/screenshots');
mkdirSync(SHOTS, { recursive: true });

const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic'];

export function tomeBinary() {
  for (const p of ['target/debug/tome', 'target/release/tome']) if (existsSync(path.join(ROOT, p))) return path.join(ROOT, p);
  throw new Error('no tome binary: run `cargo build -p tome --bin tome` first');
}

/** Starts `tome serve --port 0` on the app (or another folder); resolves with { url, stop }. */
export function serve(dir = path.join(ROOT, 'web')) {
  return new Promise((resolve, reject) => {
    const proc = spawn(tomeBinary(), ['serve', '--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) resolve({ url: m[0], stop: () => proc.kill() });
    });
    proc.on('exit', (code) => reject(new Error(`tome serve exited (${code}): ${out}`)));
  });
}

/** A fresh Chromium profile with the off-origin guard; `offOrigin` lists what was tried.
 * `args`: more Chromium switches (e.g. a web feature turned off). */
export async function browser(origin, { args = [] } = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), 'tome-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
    viewport: { width: 1400, height: 900 },
  });
  const offOrigin = [];
  const foreign = (u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:');
  context.on('request', (r) => foreign(r.url()) && offOrigin.push(r.url()));
  await context.route((u) => foreign(u.href), (route) => {
    offOrigin.push(route.request().url());
    return route.abort();
  });
  const errors = [];
  context.on('weberror', (e) => errors.push(String(e.error())));
  // The CSP allows this origin alone: anything it refuses is a bug in the app.
  context.on('console', (m) => /Content Security Policy|Refused to/.test(m.text()) && errors.push(m.text()));
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, offOrigin, errors, close };
}

/** The model file the browser tests load (scripts/fetch-model.sh fetches it). */
export const MODEL = path.join(ROOT, 'assets/SmolLM2-135M-Instruct.Q4_1.gguf');
/** A test's `skip` for tests that need the model: the reason when its file is missing, else false. */
export const noModel = existsSync(MODEL) ? false : 'no model in assets/ (run scripts/fetch-model.sh)';

/**
 * The set-up every browser test repeats: `tome serve` on `dir` (the app by default), a fresh
 * browser with the off-origin guard, and a page opened at `open` (a path and query under the
 * server, e.g. '?test-hooks'; null opens none). `model: true` loads the model in that page first.
 * `close()` ends both, then fails if any request tried to leave the origin.
 */
export async function openApp({ dir, open = '', args = [], model = false } = {}) {
  const server = await serve(dir);
  const origin = server.url.replace(/\/$/, '');
  let b;
  try {
    b = await browser(origin, { args });
  } catch (e) {
    server.stop();
    throw e;
  }
  const app = {
    url: server.url,
    origin,
    context: b.context,
    offOrigin: b.offOrigin,
    errors: b.errors,
    page: null,
    /** Another page of the same browser, opened at `at` (as `open` above). */
    async newPage(at = '') {
      const p = await b.context.newPage();
      await p.goto(`${server.url}${at}`);
      return p;
    },
    /** The app stayed on its origin and the page raised no uncaught error or CSP refusal. */
    assertClean() {
      assert.deepEqual(b.offOrigin, [], 'requests that tried to leave the origin');
      assert.deepEqual(b.errors, [], 'uncaught errors or CSP refusals in the page');
    },
    async close() {
      await b.close();
      server.stop();
      assert.deepEqual(b.offOrigin, [], 'requests that tried to leave the origin');
    },
  };
  if (open !== null) app.page = await app.newPage(open);
  if (model) await loadModel(app.page);
  return app;
}

/** Presses "Load model" and waits until the page says the model is ready. */
export async function loadModel(page) {
  await page.click('#reader .load-model');
  await page.locator('#reader .model-state[data-state=ready]').waitFor({ timeout: 300_000 });
}

/**
 * Runs `calls` ([kind, args] pairs) in order in a fresh worker of `page`'s app and resolves with
 * their results; a call that throws rejects with its error's name and message. The worker is ended after.
 */
export async function inWorker(page, calls) {
  const { results, error } = await page.evaluate(async (calls) => {
    const { WorkerClient } = await import('./js/client.js');
    // Typed arrays (logits) do not survive the trip out of the page: plain arrays do.
    const plain = (v) => (ArrayBuffer.isView(v) ? Array.from(v)
      : Array.isArray(v) ? v.map(plain)
        : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v);
    const client = new WorkerClient();
    const results = [];
    try {
      for (const [kind, args] of calls) results.push(plain(await client.call(kind, args)));
      return { results };
    } catch (e) {
      return { error: { name: e.name, message: e.message } };
    } finally {
      client.worker.terminate();
    }
  }, calls);
  if (error !== undefined) throw Object.assign(new Error(error.message), { name: error.name });
  return results;
}

/** Opens `file` (dropped, or picked with `pick: true`) and waits until it is listed and searchable. */
export async function openDoc(page, file, { pick = false } = {}) {
  if (pick) await pickFile(page, file);
  else await dropFile(page, file);
  await page.locator('#reader .doc-title', { hasText: path.basename(file) }).waitFor({ timeout: 120_000 });
  await page.locator('#reader .search input:not([disabled])').waitFor({ timeout: 120_000 });
}

/** Searches the open document for `query` and waits for the first hit. */
export async function searchFor(page, query) {
  await page.fill('#reader .search input', query);
  await page.press('#reader .search input', 'Enter');
  await page.locator('#reader .hits .hit').first().waitFor({ timeout: 60_000 });
}

export function evalDoc(rel) {
  return path.join(EVAL, 'docs', rel);
}

export function groundTruth(rel) {
  return JSON.parse(readFileSync(path.join(EVAL, 'outlines.json'), 'utf8'))[`docs/${rel}`];
}

export function questions(rel) {
  return readFileSync(path.join(EVAL, 'qa.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    .filter((q) => q.doc === `docs/${rel}`);
}

/** Drops a file on the page as a person dragging it from their file manager would. */
export async function dropFile(page, file) {
  const data = readFileSync(file).toString('base64');
  const name = path.basename(file);
  const transfer = await page.evaluateHandle(({ data, name }) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name));
    return dt;
  }, { data, name });
  await page.dispatchEvent('body', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
}

/** Picks a file with the "Open a file…" picker. */
export async function pickFile(page, file) {
  await page.setInputFiles('#file', file);
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/**
 * Serves `dir` as a plain static host that does NOT isolate its pages (no COOP/COEP, as most hosts
 * and a widget's third-party pages): the page runs the single-thread build. Resolves with { url, stop }.
 * (tome serve always isolates; threads.test.js compares the two.)
 */
export async function serveWithoutIsolation(dir = path.join(ROOT, 'web')) {
  const http = await import('node:http');
  const { readFile, stat } = await import('node:fs/promises');
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm',
    '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.pdf': 'application/pdf',
    '.gz': 'application/gzip', '.webmanifest': 'application/manifest+json' };
  const root = path.resolve(dir);
  const server = http.createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    // As tome serve: the model stays in assets/, served at /model/<file>.gguf.
    const base = rel.startsWith('/model/') ? path.join(ROOT, 'assets') : root;
    let full = path.resolve(base, `.${rel.replace(/^\/model\//, '/')}`);
    if (!full.startsWith(base)) return res.writeHead(404).end();
    if ((await stat(full).catch(() => null))?.isDirectory()) full = path.join(full, 'index.html');
    const body = await readFile(full).catch(() => null);
    if (!body) return res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    res.writeHead(200, { 'Content-Type': types[path.extname(full)] ?? 'application/octet-stream',
      'Content-Length': body.length, 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, stop: () => server.close() };
}

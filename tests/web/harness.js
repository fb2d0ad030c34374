// Shared set-up for the browser tests: `tome serve` on a free port, Debian's Chromium driven by
// playwright-core in a fresh profile, a guard that records (and blocks) any request that leaves
// the app's origin, and helpers to open documents the way a person does.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

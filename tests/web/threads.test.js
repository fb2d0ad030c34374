// Threads in the page. `tome serve` isolates the app (COOP/COEP): its worker loads the threaded build
// and runs the model's matmuls on helper Web Workers sharing one memory. A plain static host does not
// isolate: the single-thread build runs and the page says why it has one thread. Both give the same
// greedy ids (each output row is computed by one thread with the same kernel). On a static host the
// app's service worker adds COOP/COEP, so the second visit has threads. The pack widget on a
// non-isolated host page still answers with the model, on one thread.
// Skipped when assets/ has no model file (scripts/fetch-model.sh).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve, serveWithoutIsolation, browser, tomeBinary, ROOT } from './harness.js';

const MODEL = path.join(ROOT, 'assets/SmolLM2-135M-Instruct.Q4_1.gguf');
const skip = existsSync(MODEL) ? false : 'no model in assets/ (run scripts/fetch-model.sh)';
const PROMPT = 'The orchard keeper climbed the ladder at dawn, counted the pears on the highest branch, and said that';
const N = 24;

const open = [];
after(async () => {
  for (const { b, server } of open) {
    await b?.close();
    server?.stop();
  }
});

/** A page on a fresh server and browser (each browser guards one origin). */
async function pageOn(server, urlPath = '') {
  const b = await browser(server.url.replace(/\/$/, ''));
  open.push({ b, server });
  const page = await b.context.newPage();
  await page.goto(`${server.url}${urlPath}`);
  return { b, page };
}

/** Loads the model in a fresh worker of `page` with `threads` asked for; its info and greedy ids. */
function greedyIn(page, threads) {
  return page.evaluate(async ({ threads, prompt, n }) => {
    const { WorkerClient } = await import('./js/client.js');
    const client = new WorkerClient();
    try {
      const info = await client.call('modelLoad', { threads });
      const ids = await client.call('greedy', { prompt, n });
      return { isolated: self.crossOriginIsolated, info, ids };
    } finally {
      client.worker.terminate();
    }
  }, { threads, prompt: PROMPT, n: N });
}

test('isolated page: 2 threads; the same greedy ids as 1 thread and as the non-isolated page', { skip }, async () => {
  const { page: isolated, b: bi } = await pageOn(await serve());
  const two = await greedyIn(isolated, 2);
  assert.equal(two.isolated, true, 'tome serve isolates the page (COOP/COEP)');
  assert.equal(two.info.threads, 2, `2 threads: ${JSON.stringify(two.info.backend)}`);
  assert.equal(two.ids.length, N);
  const one = await greedyIn(isolated, 1);
  assert.equal(one.info.threads, 1);
  assert.deepEqual(one.ids, two.ids, 'threaded build: 1 thread vs 2');

  const { page: plain, b: bp } = await pageOn(await serveWithoutIsolation());
  const single = await greedyIn(plain, 2);
  assert.equal(single.isolated, false);
  assert.equal(single.info.threads, 1, 'without isolation the page has one thread');
  assert.equal(single.info.backend.threadsWhy, 'page not cross-origin isolated');
  assert.deepEqual(single.ids, two.ids, 'single-thread build vs threaded build on 2 threads');
  for (const b of [bi, bp]) {
    assert.deepEqual(b.offOrigin, []);
    assert.deepEqual(b.errors, []);
  }
});

test('the app on a non-isolated host says why the model has one thread', { skip }, async () => {
  const { page, b } = await pageOn(await serveWithoutIsolation());
  await page.click('#reader .load-model');
  const state = page.locator('#reader .model-state[data-state=ready]');
  await state.waitFor({ timeout: 300_000 });
  assert.match(await state.textContent(), /on the CPU \(one thread; page not cross-origin isolated\)/);
  assert.deepEqual(b.errors, []);
});

test('a static host: once the service worker serves the app, the page is isolated and has 2 threads', { skip }, async () => {
  const { page, b } = await pageOn(await serveWithoutIsolation());
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), false, 'the first visit: the host sends no COOP/COEP');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
  });
  await page.reload();
  const two = await greedyIn(page, 2);
  assert.equal(two.isolated, true, 'the service worker added COOP/COEP');
  assert.equal(two.info.threads, 2, JSON.stringify(two.info.backend));
  assert.deepEqual(b.errors, []);
});

test('the pack widget on a non-isolated host page answers with the model, on one thread', { skip }, async () => {
  // An invented two-page site, packed with the model offered.
  const tmp = mkdtempSync(path.join(tmpdir(), 'tome-threads-site-'));
  try {
    const site = path.join(tmp, 'site');
    mkdirSync(site);
    const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
      <body><main><h1 id="top">${title}</h1>${body}</main></body></html>`;
    writeFileSync(path.join(site, 'index.html'), page('Harbour guide', `<h2 id="tides">Tides</h2>
      <p>The harbour gate opens two hours before high tide and closes one hour after it.</p>
      <h2 id="moorings">Moorings</h2><p>Visiting boats moor on the north pontoon, which has water and power.</p>`));
    writeFileSync(path.join(site, 'fees.html'), page('Fees', `<h2 id="nightly">Nightly fees</h2>
      <p>A night on the north pontoon costs twelve pounds for boats under ten metres.</p>`));
    execFileSync(tomeBinary(), ['pack', site, '--inject', '--model'], { stdio: 'pipe' });
    const { page: host, b } = await pageOn(await serveWithoutIsolation(site), 'index.html');
    assert.equal(await host.evaluate(() => self.crossOriginIsolated), false);
    const widget = host.locator('tome-reader');
    await widget.locator('.use-model input').check();
    const answered = host.evaluate(() => new Promise((resolve, reject) => {
      const el = document.querySelector('tome-reader');
      el.addEventListener('model-answered', (e) => resolve(e.detail), { once: true });
      el.addEventListener('failed', (e) => reject(new Error(e.detail.error)), { once: true });
    }));
    await widget.locator('input[type=search]:not([disabled])').waitFor({ timeout: 60_000 });
    await widget.locator('input[type=search]').fill('When does the harbour gate open?');
    await widget.locator('button[type=submit]').click();
    const detail = await answered;
    assert.ok(detail.text.trim().length > 0, 'the model wrote an answer');
    assert.equal(detail.backend.threads, 1);
    assert.equal(detail.backend.threadsWhy, 'page not cross-origin isolated');
    assert.deepEqual(b.offOrigin, []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

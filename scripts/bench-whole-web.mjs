#!/usr/bin/env node
// "Read the whole document" in headless Chromium (the tests' set-up) next to the same reading natively
// (`tome read --stop-after`, the anchor: the same Rust code), on the first windows of a document:
// tokens read per second by each, and their ratio. Prints JSON.
//   node scripts/bench-whole-web.mjs [file=../shared/eval/docs/novels/persuasion.txt] [windows=3] [window=0 (tome's default)]
// With --tome, a read book in the page: a memory file (`tome read`) opened, the time until its memory is
// assembled, then the model's first answer token for a question over the memory vs over the plain
// document (the retrieved passages read from scratch), and the page's wasm memory.
//   node scripts/bench-whole-web.mjs --tome FILE.tome DOC QUESTION
// Needs scripts/build-web.sh, a built tome binary and assets/SmolLM2-135M-Instruct.Q4_1.gguf.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { openApp, loadModel, openDoc, tomeBinary, ROOT } from '../tests/web/harness.js';

const args = process.argv.slice(2);
if (args[0] === '--tome') {
  console.log(JSON.stringify(await readBook(...args.slice(1)), null, 2));
  process.exit(0);
}
const file = path.resolve(args[0] ?? path.join(ROOT, '../shared/eval/docs/novels/persuasion.txt'));
const windows = Number(args[1] ?? 3);
const window = Number(args[2] ?? 0);

const app = await openApp({ open: window ? `?memory-window=${window}` : '' });
const { page } = app;
let web;
try {
  await loadModel(page);
  const threads = Number((await page.locator('#reader .model-state').textContent()).match(/(\d+) threads/)?.[1] ?? 1);
  await openDoc(page, file);
  await page.locator('#reader .read-whole', { hasText: /^Read the whole document/ }).waitFor({ timeout: 300_000 });
  const state = page.locator('#reader .whole-state');
  await page.click('#reader .read-whole');
  const t0 = Date.now();
  let last = null;
  for (;;) {
    const m = (await state.textContent()).match(/window (\d+) of (\d+) \(([\d,]+) of ([\d,]+) tokens\)/);
    if (m && Number(m[1]) !== last?.done) last = { done: Number(m[1]), of: Number(m[2]), tokens: Number(m[3].replace(/,/g, '')), at: Date.now() };
    if (last && (last.done >= windows || last.done === last.of)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.click('#reader .stop-whole').catch(() => {});
  const seconds = (last.at - t0) / 1000;
  web = { threads, windows: last.done, tokens: last.tokens, seconds, tokens_per_s: last.tokens / seconds };
} finally {
  await app.close();
}

const dir = mkdtempSync(path.join(tmpdir(), 'tome-whole-bench-'));
let native;
try {
  const out = execFileSync(tomeBinary(), ['read', file, '-o', path.join(dir, 'bench.tome'), '--stop-after', String(web.windows),
    '--threads', String(web.threads), '--json', ...(window ? ['--window', String(window)] : [])], { encoding: 'utf8' });
  native = JSON.parse(out.trim().split('\n').at(-1));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(JSON.stringify({
  file: path.basename(file),
  window: native.window,
  windows_read: web.windows,
  browser: web,
  native: { binary: path.relative(ROOT, tomeBinary()), threads: native.threads, tokens: native.tokens_read_now,
    seconds: native.seconds, tokens_per_s: native.tokens_per_s, peak_rss_mb: native.peak_rss_mb },
  browser_over_native_tokens_per_s: web.tokens_per_s / native.tokens_per_s,
}, null, 2));

/** Seconds to the model's first answer token for `question` on the open document. */
async function firstToken(page, question) {
  await page.fill('#reader .ask input', question);
  const t0 = Date.now();
  await page.press('#reader .ask input', 'Enter');
  await page.waitForFunction(() => (document.querySelector('#reader .reading-text')?.textContent ?? '').trim().length > 0,
    null, { timeout: 600_000, polling: 100 });
  const s = (Date.now() - t0) / 1000;
  const status = await page.locator('#reader .reading-status').textContent();
  await page.click('#reader .stop-reading').catch(() => {});
  await page.locator('#reader .reading-status', { hasText: /stopped|done|limit/ }).waitFor({ timeout: 120_000 });
  return { seconds: s, status };
}

async function readBook(tome, doc, question) {
  const app = await openApp();
  const { page } = app;
  try {
    await loadModel(page);
    const t0 = Date.now();
    // Picked, not dropped: a drop passes the file through the DevTools protocol as base64, which a
    // novel's memory file (~170-250 MB) does not survive.
    await openDoc(page, path.resolve(tome), { pick: true });
    await page.locator('#reader .whole-state[data-state=read]').waitFor({ timeout: 600_000 });
    const assembled = (Date.now() - t0) / 1000;
    const state = await page.locator('#reader .whole-state').textContent();
    const memory = await firstToken(page, question);
    await openDoc(page, path.resolve(doc), { pick: true });
    await page.locator('#reader .read-whole').waitFor({ timeout: 600_000 });
    const plain = await firstToken(page, question);
    const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null);
    return { tome: path.basename(tome), doc: path.basename(doc), question, open_and_assemble_s: assembled, state,
      first_token_over_memory_s: memory.seconds, memory_status: memory.status,
      first_token_plain_s: plain.seconds, plain_status: plain.status, page_js_heap_bytes: heap,
      memory_over_plain: memory.seconds / plain.seconds };
  } finally {
    await app.close();
  }
}

// Side by side in one Chromium: tome's widget over a pack and Pagefind's UI over its index, on the
// same served site (both already built into it: SITE/tome with the widget, SITE/pagefind).
// Prints JSON: bytes fetched for a first and a second query (code included, as served), the
// widget's answer time, and on the site's questions the share whose first citation (or, when
// tome abstains, the nearest section it names) / Pagefind's first result is on a gold page.
//   node scripts/bench-pack.mjs SITE_DIR QUESTIONS.jsonl SITE_NAME [START_PAGE]
// `tome bench pack SITE_DIR` runs this after timing both builds.

import { readFileSync } from 'node:fs';
import { serve, browser } from '../tests/web/harness.js';

const [site, questionsFile, siteName, start = 'index.html'] = process.argv.slice(2);
if (!site || !questionsFile || !siteName) {
  console.error('usage: node scripts/bench-pack.mjs SITE_DIR QUESTIONS.jsonl SITE_NAME [START_PAGE]');
  process.exit(2);
}
const questions = readFileSync(questionsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  .filter((q) => q.site === siteName);
if (!questions.length) {
  console.error(`no questions for site ${siteName} in ${questionsFile}`);
  process.exit(2);
}

const server = await serve(site);
const origin = server.url.replace(/\/$/, '');
const b = await browser(origin);

/** Bytes of every response a page receives, by URL path. */
function meter(page) {
  const log = [];
  page.on('response', async (res) => {
    try {
      const body = await res.body();
      log.push({ url: new URL(res.url()).pathname, bytes: body.length });
    } catch {
      // Redirects and aborted requests have no body.
    }
  });
  return {
    mark: () => log.length,
    bytes: (from, to = log.length, skip = () => false) =>
      log.slice(from, to).filter((r) => !skip(r.url)).reduce((s, r) => s + r.bytes, 0),
    log,
  };
}

// Only the search tool's own files count: the site's pages, styles and fonts are the same for both.
const notTome = (u) => !u.startsWith('/tome/');
const notPagefind = (u) => !u.startsWith('/pagefind/');
const settle = (page) => page.waitForLoadState('networkidle');

async function tomeRun(q1, q2) {
  const page = await b.context.newPage();
  const m = meter(page);
  await page.goto(`${server.url}${start}`);
  const widget = page.locator('tome-reader');
  await widget.locator('input[type=search]:not([disabled])').waitFor({ timeout: 60_000 });
  const ask = async (q) => {
    await widget.locator('input[type=search]').fill(q);
    const done = page.evaluate(() => new Promise((r) => document.querySelector('tome-reader')
      .addEventListener('answered', (e) => r(e.detail.ms), { once: true })));
    await widget.locator('button[type=submit]').click();
    const ms = await done;
    await settle(page);
    return ms;
  };
  const ms1 = await ask(q1);
  const first = m.bytes(0, undefined, notTome);
  const mark = m.mark();
  const ms2 = await ask(q2);
  const second = m.bytes(mark, undefined, notTome);
  // Every dev question through the widget's own reader (its answer, its hits).
  const results = [];
  for (const q of questions) {
    results.push(await page.evaluate(async (question) => {
      const w = document.querySelector('tome-reader').widget;
      const answer = await w.run(question, { answer: true });
      const hits = await w.run(question, { answer: false });
      return { first_citation: answer.citations[0]?.url ?? answer.nearest ?? null, first_hit: hits[0]?.url ?? null, found: answer.found };
    }, q.question));
  }
  await page.close();
  return { first_query_bytes: first, second_query_bytes: second, answer_ms: [ms1, ms2], results };
}

async function pagefindRun(q1, q2) {
  const page = await b.context.newPage();
  const m = meter(page);
  // Pagefind's own UI, as its docs add it to a page.
  await page.goto(`${server.url}pagefind-bench.html`);
  await page.locator('.pagefind-ui__search-input').waitFor();
  const search = async (q) => {
    const before = await page.locator('.pagefind-ui__message').textContent().catch(() => '');
    await page.locator('.pagefind-ui__search-input').fill(q);
    await page.waitForFunction((b) => {
      const msg = document.querySelector('.pagefind-ui__message')?.textContent ?? '';
      // "N results" or "No results" (Pagefind matches pages holding every word of the query).
      return msg && msg !== b && !/^Searching/.test(msg);
    }, before, { timeout: 30_000 });
    await settle(page);
  };
  await search(q1);
  const first = m.bytes(0, undefined, notPagefind);
  const mark = m.mark();
  await search(q2);
  const second = m.bytes(mark, undefined, notPagefind);
  const results = [];
  for (const q of questions) {
    results.push(await page.evaluate(async (question) => {
      const pf = await import('/pagefind/pagefind.js');
      const r = await pf.search(question);
      const top = r.results[0] ? await r.results[0].data() : null;
      return { first_result: top?.url ?? null };
    }, q.question));
  }
  await page.close();
  return { first_query_bytes: first, second_query_bytes: second, results };
}

const pathOf = (url) => (url ? decodeURIComponent(new URL(url, server.url).pathname.replace(/^\//, '')) : '');
const onGold = (q, url) => q.gold.some((g) => pathOf(url) === g.page || pathOf(url) === g.page.replace(/index\.html$/, ''));

const [q1, q2] = [questions[0].question, questions[1].question];
let tome;
let pagefind;
try {
  tome = await tomeRun(q1, q2);
  pagefind = await pagefindRun(q1, q2);
} catch (e) {
  await b.close();
  server.stop();
  throw e;
}
let tomeHits = 0;
let pfHits = 0;
const details = questions.map((q, i) => {
  const t = tome.results[i];
  // Where tome abstains, the nearest section it names (else its first result).
  const tUrl = t.first_citation ?? t.first_hit;
  const tOk = onGold(q, tUrl);
  const pOk = onGold(q, pagefind.results[i].first_result);
  tomeHits += tOk;
  pfHits += pOk;
  return { id: q.id, tome: tUrl, tome_on_gold: tOk, pagefind: pagefind.results[i].first_result, pagefind_on_gold: pOk };
});
console.log(JSON.stringify({
  site: siteName,
  questions: questions.length,
  tome: { first_query_bytes: tome.first_query_bytes, second_query_bytes: tome.second_query_bytes,
    answer_ms: tome.answer_ms, first_citation_on_gold_page: tomeHits / questions.length },
  pagefind: { first_query_bytes: pagefind.first_query_bytes, second_query_bytes: pagefind.second_query_bytes,
    first_result_on_gold_page: pfHits / questions.length },
  off_origin_requests: b.offOrigin,
  details,
}, null, 2));
await b.close();
server.stop();

// The <tome-reader> widget on the demo documentation page: the same reader inside a shadow root.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, groundTruth, shot } from './harness.js';

let app;
let page;

before(async () => {
  app = await openApp({ open: 'demo/' });
  page = app.page;
});

after(() => app?.close());

test('the demo page embeds the reader: outline, search, ask and a highlighted citation', async () => {
  const widget = page.locator('tome-reader');
  assert.equal(await widget.getAttribute('role'), 'region');
  const items = widget.locator('[role=treeitem]');
  await items.first().waitFor({ timeout: 120_000 });
  assert.equal(await items.count(), groundTruth('pdf/R-intro.pdf').outline.length);
  // The styles stay inside the shadow root.
  assert.equal(await page.evaluate(() => document.styleSheets.length), 1);

  await widget.locator('.search input:not([disabled])').waitFor({ timeout: 120_000 });
  await widget.locator('.search input').fill('matrix');
  await widget.locator('.search input').press('Enter');
  await widget.locator('.hits mark').first().waitFor();

  await widget.locator('.ask input').fill('What does the function lm do?');
  await widget.locator('.ask input').press('Enter');
  const cite = widget.locator('.answer .cite').first();
  await cite.waitFor({ timeout: 60_000 });
  await cite.click();
  await widget.locator('.sheet[data-highlighted=true]').waitFor();
  assert.ok((await widget.locator('.sheet .marks .mark').count()) > 0);
  await shot(page, '11-widget');
});

test('the widget made no request off its origin', () => app.assertClean());

test('a citation clicked while pdf.js still loads the PDF is drawn, highlighted, once it has', async () => {
  // Search and ask run in tome's worker and are ready before pdf.js has read the file; hold pdf.js
  // back until the reader has clicked a citation.
  const slow = await openApp({ open: null });
  try {
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await slow.context.route('**/pdfjs/pdf.min.mjs', async (route) => {
      await held;
      await route.continue();
    });
    const p = await slow.newPage('demo/');
    const widget = p.locator('tome-reader');
    await widget.locator('.ask input:not([disabled])').waitFor({ timeout: 120_000 });
    await widget.locator('.ask input').fill('What does the function lm do?');
    await widget.locator('.ask input').press('Enter');
    const cite = widget.locator('.answer .cite').first();
    await cite.waitFor({ timeout: 60_000 });
    assert.equal(await widget.locator('.sheet').count(), 0, 'no page is drawn before pdf.js is loaded');
    await cite.click();
    release();
    await widget.locator('.sheet[data-highlighted=true]').waitFor({ timeout: 60_000 });
    assert.ok((await widget.locator('.sheet .marks .mark').count()) > 0);
  } finally {
    await slow.close();
  }
});

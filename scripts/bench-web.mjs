#!/usr/bin/env node
// Opens web/bench.html in headless Chromium (the tests' set-up: `tome serve`, /usr/bin/chromium) and
// prints the model's prefill and decode speed in this browser as JSON.
//   node scripts/bench-web.mjs [prefill=128] [decode=32]
// Needs scripts/build-web.sh, `cargo build -p tome --bin tome` and assets/SmolLM2-135M-Instruct.Q4_1.gguf.

import { serve, browser } from '../tests/web/harness.js';

const [prefill = 128, decode = 32] = process.argv.slice(2).map(Number);
const server = await serve();
const b = await browser(server.url.replace(/\/$/, ''));
try {
  const page = await b.context.newPage();
  await page.goto(`${server.url}bench.html?prefill=${prefill}&decode=${decode}`);
  await page.waitForFunction(() => window.benchResult, null, { timeout: 600_000, polling: 500 });
  const result = await page.evaluate(() => window.benchResult);
  console.log(JSON.stringify(result, null, 2));
  if (result.error) process.exitCode = 1;
} finally {
  await b.close();
  server.stop();
}

// The benchmark page: the model's prefill and decode speed in this browser, tome's wasm CPU path next
// to wllama (llama.cpp in wasm, npm @wllama/wllama) on the same GGUF and the same prompt (its token
// count checked on both sides).
// Shows the numbers and leaves them in window.benchResult (scripts/bench-web.mjs reads that).
//
// tome runs in our worker with one thread, and with two (its threaded build, helper workers on shared
// memory) when the page is cross-origin isolated; `engines=…,tome-scalar` also times it with the scalar
// kernels (Tome.setKernels), the SIMD128 kernels' before. wllama runs with one thread, and with two when the
// page is cross-origin isolated (COOP/COEP: SharedArrayBuffer for its pthreads), each with n_gpu_layers 0
// (CPU). wllama's files are served from this origin at vendor/wllama/ by scripts/bench-web.mjs
// (never from a CDN); under plain `tome serve` they are absent and only tome is measured.
//
// tome also runs on WebGPU when the browser gives an adapter (headless Chromium: SwiftShader, a CPU
// emulation of a GPU, so its times say little about real GPUs); greedy picks happen on the GPU.
//
// `ttft` (on by default) then times the first answer token of real readings: the sample manual
// opened and indexed, a question asked, the wait until the model's first generated token
// (`chunk=N`: N prompt tokens per reading step instead of the app's default).
//
// Each configuration: one short warm-up, then `reps` runs of a `prefill`-token prompt followed by
// `decode` greedy steps; medians. Decode tok/s counts forward passes: tome runs `decode` of them;
// llama-server (inside wllama) reports `predicted_n` tokens of which the first comes from the
// prompt's logits, so its decode rate is (predicted_n - 1) / predicted_ms.

import { WorkerClient } from './client.js';
import { KINDS } from './protocol.js';
import { MODEL_URL } from './model.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const prefill = Number(params.get('prefill')) || 128;
const decode = Number(params.get('decode')) || 64;
const reps = Number(params.get('reps')) || 3;
const engines = (params.get('engines') || 'tome,webgpu,wllama,ttft').split(',');
// Prompt tokens per reading step in the ttft runs (?chunk=; the app's default when absent).
const chunk = Number(params.get('chunk')) || 0;
// Spins before the CPU pool's idle helpers and its waiting caller sleep (?spins=helper,caller; the
// build's defaults when absent).
const spins = params.get('spins')?.split(',').map(Number);
// Thread counts for both engines (?threads=1,2); more than one needs a cross-origin isolated page.
const threadCounts = (params.get('threads') || '1,2').split(',').map(Number).filter((n) => n === 1 || self.crossOriginIsolated);
$('n-prefill').textContent = prefill;
$('n-decode').textContent = decode;
$('n-reps').textContent = reps;

const state = (text) => ($('state').textContent = text);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x) => Math.round(x * 100) / 100;

function summary(engine, runs, extra = {}) {
  return {
    engine,
    ...extra,
    prefill_tok_s: round(median(runs.map((r) => r.prefill_tok_s))),
    decode_tok_s: round(median(runs.map((r) => r.decode_tok_s))),
    runs: runs.map((r) => ({ ...r, prefill_tok_s: round(r.prefill_tok_s), decode_tok_s: round(r.decode_tok_s) })),
  };
}

/** tome's CPU path in its worker on `threads` threads: the model loaded once, a fresh session per run. */
async function startTome(threads, { gpuToo }) {
  const client = new WorkerClient();
  const t0 = performance.now();
  const info = await client.call(KINDS.modelLoad, { threads }, {
    onProgress: (p) => state(`tome: model ${p.label}${p.fraction != null ? ` ${Math.floor(p.fraction * 100)}%` : ''}`),
  });
  const loadMs = performance.now() - t0;
  if (spins) await client.call(KINDS.setPoolSpins, { helper: spins[0], caller: spins[1] });
  const prompt = await client.call(KINDS.benchPrompt, { n: prefill });
  const warmup = await client.call(KINDS.benchPrompt, { n: 16 });
  await client.call(KINDS.bench, { prefill: 16, decode: 4 }); // warm-up
  // The same model on WebGPU in the same worker, when this browser gives an adapter.
  let gpu = null;
  if (engines.includes('webgpu') && gpuToo) {
    try {
      const t1 = performance.now();
      const info = await client.call(KINDS.gpuModelLoad, { nCtx: prefill + decode + 8 });
      const loadMs = performance.now() - t1;
      const label = (await client.call(KINDS.gpuInfo, {})).label;
      await client.call(KINDS.gpuBench, { prefill: 16, decode: 4 }); // warm-up (pipelines, first submits)
      gpu = { ...info, label, loadMs, run: () => client.call(KINDS.gpuBench, { prefill, decode }), close: () => {} };
    } catch (e) {
      gpu = { error: e.message };
    }
  }
  if (info.threads !== threads) throw new Error(`tome got ${info.threads} threads, asked for ${threads} (${info.backend?.threadsWhy})`);
  return {
    gpu,
    prompt,
    warmup,
    loadMs,
    threads: info.threads,
    // The same worker and model with the scalar kernels (what SIMD128 replaced), switched per run.
    scalar: {
      async run() {
        await client.call(KINDS.setKernels, { name: 'scalar' });
        try {
          return await client.call(KINDS.bench, { prefill, decode });
        } finally {
          await client.call(KINDS.setKernels, { name: 'simd128' });
        }
      },
      close: () => {},
    },
    run: () => client.call(KINDS.bench, { prefill, decode }),
    ttft: (runs) => timeToFirstToken(client, runs, info.threads),
    close: () => client.worker.terminate(),
  };
}

/** wllama with `threads` threads on the CPU; null when its files are not served here. */
async function startWllama(threads, modelBlob, prompt, warmup) {
  let mod;
  try {
    mod = await import(new URL('../vendor/wllama/index.js', import.meta.url).href);
  } catch {
    return null;
  }
  const wllama = new mod.Wllama(
    { default: new URL('../vendor/wllama/wasm/wllama.wasm', import.meta.url).href },
    params.has('wllama-log') ? {} : { suppressNativeLog: true, logger: mod.LoggerWithoutDebug },
  );
  const t0 = performance.now();
  await wllama.loadModel([modelBlob], {
    n_threads: threads,
    n_gpu_layers: 0, // CPU, as tome's path here
    n_ctx: 512,
    n_batch: 512,
    n_parallel: 1,
  });
  const loadMs = performance.now() - t0;
  const complete = async (text, tokens, n) => {
    const res = await wllama.createCompletion({
      prompt: text, // tome's prompt ids decoded; the token count is checked below
      max_tokens: n,
      temperature: 0,
      temp: 0,
      top_k: 1,
      ignore_eos: true,
      cache_prompt: false,
    });
    const t = res.timings;
    if (!t || t.prompt_n !== tokens || (t.cache_n ?? 0) !== 0) {
      throw new Error(`wllama read ${t?.prompt_n} prompt tokens (${t?.cache_n} cached), expected ${tokens}, none cached`);
    }
    return {
      prefill_tokens: t.prompt_n,
      prefill_ms: t.prompt_ms,
      prefill_tok_s: (t.prompt_n * 1000) / t.prompt_ms,
      decode_tokens: t.predicted_n - 1,
      decode_ms: t.predicted_ms,
      decode_tok_s: ((t.predicted_n - 1) * 1000) / t.predicted_ms,
    };
  };
  await complete(warmup.text, warmup.ids.length, 4); // warm-up
  return {
    loadMs,
    version: mod.Wllama.getLibllamaVersion(),
    threads: wllama.getNumThreads(),
    multithread: wllama.isMultithread(),
    run: () => complete(prompt.text, prompt.ids.length, decode),
    close: () => wllama.exit(),
  };
}

// Questions for the time-to-first-token runs over the sample manual (invented for this bench).
const TTFT_QUESTIONS = [
  'How do I read a table of data from a file?',
  'What does the apply function do?',
  'How are factors used to group values?',
  'How can I write my own function?',
  'What is the difference between a list and a data frame?',
];

/**
 * Time to the first answer token of a real reading with the model loaded: the sample manual
 * opened and indexed, then per question the wait from asking (retrieval, prompt building, prefill
 * of the ~500-token reading prompt) to the first generated token; the reading is then stopped.
 */
async function timeToFirstToken(client, runs, threads) {
  const res = await fetch(new URL('../pkg/sample/R-intro.pdf', import.meta.url));
  if (!res.ok) throw new Error(`the sample document is not served here (HTTP ${res.status})`);
  await client.call(KINDS.open, { bytes: new Uint8Array(await res.arrayBuffer()), name: 'R-intro.pdf' });
  await client.call(KINDS.index, {});
  const out = [];
  if (chunk) await client.call(KINDS.setPrefillChunk, { n: chunk });
  for (const question of TTFT_QUESTIONS.slice(0, runs)) {
    state(`tome: time to first token, "${question}"…`);
    const t0 = performance.now();
    let promptTokens = 0;
    let first = null;
    await client.call(KINDS.read, { question }, {
      onProgress: (p) => {
        if (p.stage === 'sources') promptTokens = p.prompt_tokens;
        if (p.stage === 'token' && p.generated >= 1 && first == null) {
          first = performance.now() - t0;
          client.call(KINDS.readStop, {});
        }
      },
    });
    if (first == null) throw new Error(`no answer token for "${question}"`);
    out.push({ question, prompt_tokens: promptTokens, ttft_ms: Math.round(first) });
  }
  return {
    engine: `tome wasm cpu (SIMD128), ${plural(threads)}`,
    median_ttft_ms: Math.round(median(out.map((r) => r.ttft_ms))),
    median_prompt_tokens: median(out.map((r) => r.prompt_tokens)),
    prefill_chunk: chunk || 'default',
    runs: out,
  };
}

const plural = (n) => `${n} thread${n > 1 ? 's' : ''}`;

async function main() {
  const result = {
    prefill_tokens: prefill,
    decode_tokens: decode,
    reps,
    cross_origin_isolated: self.crossOriginIsolated,
    pool_spins: spins ? { helper: spins[0], caller: spins[1] } : 'default',
    hardware_concurrency: navigator.hardwareConcurrency,
    user_agent: navigator.userAgent,
  };
  const toms = [];
  for (const threads of threadCounts) toms.push(await startTome(threads, { gpuToo: toms.length === 0 }));
  const tome = toms[0];
  const configs = [];
  if (engines.includes('tome')) {
    for (const t of toms) {
      configs.push({ key: `tome_${t.threads}t`, name: `tome wasm cpu (SIMD128), ${plural(t.threads)}`, engine: t,
        extra: { threads: t.threads, load_ms: Math.round(t.loadMs) } });
    }
  }
  if (engines.includes('tome-scalar')) {
    configs.push({ key: 'tome_scalar', name: 'tome wasm cpu (scalar kernels), 1 thread', engine: tome.scalar });
  }
  if (tome.gpu?.run) {
    configs.push({ key: 'tome_webgpu', name: `tome WebGPU (${tome.gpu.label}${tome.gpu.fallback ? ', software' : ''})`, engine: tome.gpu,
      extra: { load_ms: Math.round(tome.gpu.loadMs), gpu_memory_bytes: tome.gpu.memory_bytes } });
  } else if (tome.gpu) {
    result.tome_webgpu = `not measured: ${tome.gpu.error}`;
  }
  if (!self.crossOriginIsolated) result.threads_2 = 'not measured: the page is not cross-origin isolated (COOP/COEP)';
  if (engines.includes('wllama')) {
    state('wllama: loading the model…');
    const res = await fetch(MODEL_URL);
    if (!res.ok) throw new Error(`the model file is not served here (HTTP ${res.status})`);
    const blob = new File([await res.blob()], 'model.gguf');
    for (const threads of threadCounts) {
      const w = await startWllama(threads, blob, tome.prompt, tome.warmup);
      if (!w) {
        result.wllama = 'not measured: its files are not served here (run node scripts/bench-web.mjs)';
        break;
      }
      configs.push({ key: `wllama_${threads}t`, name: `wllama ${w.version} wasm cpu, ${plural(threads)}`,
        engine: w, extra: { threads: w.threads, multithread: w.multithread, load_ms: Math.round(w.loadMs) } });
    }
  }
  // Runs interleave the engines, so a noisy moment on a shared machine hits all of them alike;
  // only one engine computes at a time (the others' workers wait).
  for (const c of configs) c.runs = [];
  for (let i = 0; i < reps; i++) {
    for (const c of configs) {
      state(`${c.name}: run ${i + 1} of ${reps}…`);
      c.runs.push(await c.engine.run());
    }
  }
  for (const c of configs) if (!toms.includes(c.engine)) await c.engine.close();
  // Time to first token with each thread count (one engine at a time: the others' workers idle).
  if (engines.includes('ttft')) {
    for (const t of toms) result[`tome_ttft_${t.threads}t`] = await t.ttft(Math.max(reps, 3));
  }
  for (const t of toms) await t.close();

  for (const c of configs) result[c.key] = summary(c.name, c.runs, c.extra);
  for (const n of threadCounts) {
    const t = result[`tome_${n}t`];
    const w = result[`wllama_${n}t`];
    if (t && w && typeof w === 'object') {
      result[`ratio_tome_over_wllama_${n}t`] = {
        prefill: round(t.prefill_tok_s / w.prefill_tok_s),
        decode: round(t.decode_tok_s / w.decode_tok_s),
      };
    }
  }
  $('result').textContent = JSON.stringify(result, null, 2);
  state(configs.map((c) => `${c.name}: prefill ${result[c.key].prefill_tok_s} tok/s, decode ${result[c.key].decode_tok_s} tok/s`).join(' · '));
  window.benchResult = result;
}

main().catch((e) => {
  state(`Failed: ${e.message}`);
  window.benchResult = { error: e.message };
});

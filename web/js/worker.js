// The web worker that hosts the wasm module: one open document at a time, requests answered in order.
// A panic inside wasm aborts the instance; we reply with a fatal ReaderCrashedError naming the file,
// and the page replaces this worker (see client.js).

import { KINDS, reply } from './protocol.js';
import { fetchModel, forgetModel, keepModel } from './model.js';
import { pickModule, startHelpers, threadsWanted } from './threads.js';

// Test hooks (fault injection) answer only in a worker the page started with ?test-hooks.
const TEST_HOOKS = new URL(self.location.href).searchParams.has('test-hooks');
// ?backend=gpu|cpu on the page forces where the model runs; otherwise it is chosen at load.
const FORCED = new URL(self.location.href).searchParams.get('backend');
// Positions of the model's context on WebGPU: a reading's prompt (3 passages, ~500 tokens) + answer.
const GPU_CTX = 1024;

// The wasm module (threaded when the page is cross-origin isolated, see threads.js) and its Tome class.
let Tome = null;
let wasm = null; // { Tome, threaded, why, module, memory }
// CPU threads the loaded model got (ModelInfo.threads), and why not more when it is one.
let cpu = { threads: 1, why: '' };

/** The CPU backend in words: "CPU, 2 threads" or "CPU, one thread (page not cross-origin isolated)". */
function cpuLabel() {
  if (cpu.threads > 1) return `CPU, ${cpu.threads} threads`;
  return cpu.why ? `CPU, one thread (${cpu.why})` : 'CPU, one thread';
}

// Where the model runs: { kind: 'gpu' | 'cpu', label, why, threads }.
let engine = { kind: 'cpu', label: 'CPU, one thread', why: 'no model loaded', threads: 1 };

const onCpu = (why) => ({ kind: 'cpu', label: cpuLabel(), why, threads: cpu.threads, threadsWhy: cpu.why });

/** A software WebGPU adapter (SwiftShader, lavapipe, llvmpipe): slower than our wasm CPU path. */
function isSoftware(adapter) {
  const i = adapter.info ?? {};
  if (adapter.isFallbackAdapter || i.isFallbackAdapter) return true;
  return /swiftshader|lavapipe|llvmpipe|software|microsoft basic render/i.test(
    [i.vendor, i.architecture, i.device, i.description].join(' '));
}

/**
 * Picks the model's backend once the CPU model is loaded, as `tome --backend auto` does natively:
 * WebGPU on a hardware adapter (the weights are uploaded there), else the CPU; `?backend=` forces one.
 */
async function chooseEngine() {
  if (FORCED === 'cpu') return onCpu('?backend=cpu asks for it');
  const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
  if (!adapter) return onCpu('this browser gives no WebGPU adapter');
  const label = adapterName(adapter);
  if (isSoftware(adapter) && FORCED !== 'gpu') {
    return onCpu(`the only WebGPU adapter (${label}) is a software fallback, slower than the CPU path`);
  }
  try {
    const gpu = await Tome.gpuLoadModel(GPU_CTX);
    const why = FORCED === 'gpu' ? '?backend=gpu asks for it' : 'a hardware WebGPU adapter';
    return { kind: 'gpu', label, why, memory_bytes: gpu.memory_bytes };
  } catch (e) {
    Tome.gpuUnloadModel();
    return onCpu(`WebGPU failed while loading the model (${e.message})`);
  }
}

/** After a GPU error: the CPU reads from now on; the GPU's buffers are dropped. */
function fallBack(why) {
  try {
    Tome.gpuUnloadModel();
  } catch {
    // A lost device may refuse even this; the CPU path does not need it.
  }
  engine = onCpu(why);
  return engine;
}

let ready = null;
let tome = null; // the current document
let opening = ''; // name of the file being read, for crash messages

function load(id) {
  if (!ready) {
    self.postMessage(reply.progress(id, 'load'));
    ready = pickModule().then((picked) => {
      wasm = picked;
      Tome = picked.Tome;
    });
  }
  return ready;
}

function need() {
  if (!tome) throw new Error('No document is open yet: drop a file or open the sample first.');
  return tome;
}

const handlers = {
  [KINDS.open](id, { bytes, name }) {
    opening = name;
    self.postMessage(reply.progress(id, 'read'));
    let next;
    try {
      next = Tome.open(bytes, name);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw e;
      const err = new Error(`tome could not read "${name}": ${e.message}.`);
      err.name = 'DocumentError';
      throw err;
    }
    self.postMessage(reply.progress(id, 'outline'));
    const outline = next.outline();
    const info = next.info();
    tome?.free();
    tome = next;
    opening = '';
    return { info, outline };
  },
  [KINDS.index](id) {
    self.postMessage(reply.progress(id, 'index'));
    return { passages: need().index() };
  },
  [KINDS.search]: (id, { query, k }) => need().search(query, k ?? 10),
  [KINDS.ask]: (id, { question }) => need().ask(question),
  [KINDS.slice]: (id, { start, end }) => need().slice(start, end),

  async [KINDS.modelLoad](id, { url, cachedOnly, threads }) {
    const bytes = await fetchModel(url, {
      cachedOnly,
      onProgress: (progress) => self.postMessage({ id, type: 'progress', progress }),
    });
    if (!bytes) return { loaded: false };
    self.postMessage({ id, type: 'progress', progress: { stage: 'model-load', label: 'loading' } });
    const want = threadsWanted(threads);
    // Helper threads first (once per worker): the model's pool borrows those that are waiting.
    const helpers = wasm.threaded ? await startHelpers(wasm, want - 1) : { started: 0, why: wasm.why };
    let info;
    try {
      info = Tome.loadModel(bytes, want);
      cpu = { threads: info.threads, why: info.threads > 1 ? '' : (want > 1 ? helpers.why : '') };
    } catch (e) {
      // A copy that does not load is not kept (or no longer): "Load model" downloads it again.
      if (bytes.fromCache) await forgetModel(url);
      throw e;
    }
    await keepModel(bytes, url);
    self.postMessage({ id, type: 'progress', progress: { stage: 'model-load', label: 'choosing where it runs' } });
    engine = await chooseEngine();
    return { loaded: true, ...info, backend: engine };
  },
  [KINDS.benchPrompt]: (id, { n }) => ({ ids: Array.from(Tome.benchPromptIds(n)), text: Tome.benchPromptText(n) }),
  [KINDS.kernelCheck]: (id, { seed }) => Tome.checkKernels(seed ?? 1),
  [KINDS.setKernels]: (id, { name }) => Tome.setKernels(name),
  [KINDS.setPrefillChunk]: (id, { n }) => Tome.setPrefillChunk(n),
  [KINDS.setPoolSpins]: (id, { helper, caller }) => Tome.setPoolSpins(helper, caller),
  [KINDS.faultPanic](id, { name }) {
    if (!TEST_HOOKS) throw new Error('Fault injection is a test hook: open the page with ?test-hooks to use it.');
    opening = name;
    self.postMessage(reply.progress(id, 'read'));
    Tome.faultInjectionPanic(name);
    return null;
  },
  // The WebGPU device (asked for once in this worker); its absence is an answer, not an error.
  async [KINDS.gpuInfo]() {
    try {
      const info = await Tome.gpuInfo();
      return { ok: true, ...info, label: info.name || (await adapterLabel()) };
    } catch (e) {
      return { ok: false, reason: e.message };
    }
  },
  [KINDS.gpuCheck]: (id, { n, seed }) => Tome.gpuCheckAdd(n, seed ?? 1),
  [KINDS.gpuModelLoad]: (id, { nCtx }) => Tome.gpuLoadModel(nCtx ?? 1024),
  async [KINDS.gpuLogits](id, { text }) {
    const logits = await Tome.gpuLogits(text);
    return { ids: Array.from(Tome.tokenize(text)), logits };
  },
  async [KINDS.gpuBench](id, { prefill, decode }) {
    const t0 = performance.now();
    const p = await Tome.gpuBenchPrefill(prefill);
    const t1 = performance.now();
    const d = await Tome.gpuBenchDecode(decode);
    const t2 = performance.now();
    return {
      prefill_tokens: p, prefill_ms: t1 - t0, prefill_tok_s: (p * 1000) / (t1 - t0),
      decode_tokens: d, decode_ms: t2 - t1, decode_tok_s: (d * 1000) / (t2 - t1),
    };
  },
  [KINDS.greedy]: (id, { prompt, n }) => Array.from(Tome.greedy(prompt, n)),
  [KINDS.bench](id, { prefill, decode }) {
    const t0 = performance.now();
    const p = Tome.benchPrefill(prefill, decode);
    const t1 = performance.now();
    const d = Tome.benchDecode(decode);
    const t2 = performance.now();
    return {
      prefill_tokens: p, prefill_ms: t1 - t0, prefill_tok_s: (p * 1000) / (t1 - t0),
      decode_tokens: d, decode_ms: t2 - t1, decode_tok_s: (d * 1000) / (t2 - t1),
    };
  },
  // Streams the model's reading as progress replies { stage: 'token', piece, ... }; a step at a
  // time, yielding between steps so readStop (and other requests) get through.
  async [KINDS.read](id, { question }) {
    stopReading = false;
    const start = need().readStart(question);
    self.postMessage({ id, type: 'progress', progress: { stage: 'sources', ...start, backend: engine } });
    let text = '';
    for (;;) {
      await new Promise((r) => setTimeout(r, 0));
      if (stopReading) {
        Tome.readCancel();
        return { text, stop: 'cancelled' };
      }
      let step;
      if (engine.kind === 'gpu') {
        try {
          step = await Tome.gpuReadStep();
        } catch (e) {
          if (e instanceof WebAssembly.RuntimeError) throw e;
          // Device lost, out of memory...: the reading goes on on the CPU (its tokens so far are
          // read again there), and so do later questions.
          const backend = fallBack(`WebGPU failed while reading (${e.message}); the CPU took over`);
          self.postMessage({ id, type: 'progress', progress: { stage: 'backend', backend } });
          continue;
        }
      } else {
        step = Tome.readStep();
      }
      text += step.piece;
      self.postMessage({ id, type: 'progress', progress: { stage: 'token', ...step } });
      if (step.done) return { text, stop: step.stop };
    }
  },
  [KINDS.gpuDestroy]() {
    if (!TEST_HOOKS) throw new Error('Fault injection is a test hook: open the page with ?test-hooks to use it.');
    return Tome.gpuDestroyDevice();
  },
  [KINDS.readStop]() {
    stopReading = true;
    return true;
  },
};

let stopReading = false;

/** wgpu leaves the adapter's name empty in browsers; the browser's own adapter info names it. */
async function adapterLabel() {
  const adapter = await navigator.gpu?.requestAdapter();
  return adapter ? adapterName(adapter) : 'GPU';
}

function adapterName(adapter) {
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture || info.device || info.description].filter(Boolean).join(' ') || 'GPU';
}

/**
 * Words for a panic that ended the wasm instance. One raised inside a third-party parser (its
 * location lies in cargo's registry) is that parser failing on this file: the page names it and
 * gives its reason cut to one line of text (parsers quote the damaged bytes they met).
 */
function crashMessage(what, detail) {
  const [where = '', ...rest] = String(detail).split('\n');
  const crate = where.match(/\/registry\/src\/[^/]+\/([A-Za-z0-9_-]+?)-\d+\.\d+/)?.[1];
  const restarted = 'The reader was restarted; everything else still works.';
  if (!crate) {
    return `${what}: its reader hit an internal error (${detail}). The file may be damaged or use a ` +
      `feature tome does not handle yet. ${restarted}`;
  }
  const reason = rest.join(' ').split(/;| of `/)[0].replace(/[^\x20-\x7e]/g, '').slice(0, 120).trim();
  const reader = crate === 'pdf_oxide' ? `tome's PDF reader (${crate})` : `the ${crate} library`;
  return `${what}: ${reader} failed on it${reason ? ` (${reason})` : ''}. The file is probably damaged, or ` +
    `uses something that reader cannot handle; re-saving it (for example printing it to a new PDF) may help. ${restarted}`;
}

self.onmessage = async ({ data: { id, kind, args } }) => {
  try {
    await load(id);
    const handler = handlers[kind];
    if (!handler) throw new TypeError(`unknown request kind ${kind}`);
    self.postMessage(reply.return(id, await handler(id, args ?? {})));
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
      let detail = e.message;
      try {
        detail = Tome.lastPanic() ?? detail;
      } catch {
        // The instance is gone; the trap's own message will do.
      }
      const what = opening ? `tome could not read "${opening}"` : 'The reader stopped';
      const err = new Error(crashMessage(what, detail));
      err.name = 'ReaderCrashedError';
      self.postMessage(reply.throw(id, err, true));
    } else {
      self.postMessage(reply.throw(id, e));
    }
  }
};

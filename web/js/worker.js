// The web worker that hosts the wasm module: one open document at a time, requests answered in order.
// A panic inside wasm aborts the instance; we reply with a fatal ReaderCrashedError naming the file,
// and the page replaces this worker (see client.js).

import { KINDS, reply } from './protocol.js';
import { fetchModel, forgetModel, keepModel } from './model.js';
import { pickModule, startHelpers, threadsWanted } from './threads.js';
import { forgetReading, keepWindow, pruneReadings, readingWindows } from './store.js';

// Test hooks (fault injection) answer only in a worker the page started with ?test-hooks.
const TEST_HOOKS = new URL(self.location.href).searchParams.has('test-hooks');
// ?backend=gpu|cpu on the page forces where the model runs; otherwise it is chosen at load.
const FORCED = new URL(self.location.href).searchParams.get('backend');
// Positions of the model's context on WebGPU: a reading's prompt (3 passages, ~500 tokens) + answer
// (after a document's memory, when one is assembled: see fitMemoryOnGpu).
const GPU_CTX = 1024;
// Positions the GPU model's cache has (0: no model on the GPU).
let gpuCtx = 0;

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
    gpuCtx = gpu.n_ctx;
    const why = FORCED === 'gpu' ? '?backend=gpu asks for it' : 'a hardware WebGPU adapter';
    return { kind: 'gpu', label, why, memory_bytes: gpu.memory_bytes };
  } catch (e) {
    Tome.gpuUnloadModel();
    return onCpu(`WebGPU failed while loading the model (${e.message})`);
  }
}

/**
 * With a document's memory assembled and the model on WebGPU, the GPU model gets a cache for the
 * memory's positions and a reading after them (its weights uploaded again once); if that fails, the
 * readings over the memory run on the CPU and the others stay on the GPU.
 */
async function fitMemoryOnGpu(memory) {
  if (engine.kind !== 'gpu' || !memory || fitsGpu(memory)) return;
  try {
    gpuCtx = (await Tome.gpuLoadModel(memory.positions + GPU_CTX)).n_ctx;
  } catch {
    // The GPU model of GPU_CTX positions stays.
  }
}

/** Whether the GPU model's cache holds `memory` and a reading after it. */
const fitsGpu = (memory) => gpuCtx >= memory.positions + GPU_CTX;

/** Whether a reading (`start` from readStart) runs on WebGPU: over a memory, only when it fits there. */
function readsOnGpu(start) {
  return engine.kind === 'gpu' && (!start.memory || (assembled !== null && fitsGpu(assembled.memory)));
}

/** After a GPU error: the CPU reads from now on; the GPU's buffers are dropped. */
function fallBack(why) {
  gpuCtx = 0;
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
let tomeBytes = null; // its file (a whole-document reading keeps it with the memory)
let plan = null; // the current document's whole reading, planned: { key, windows, ... }
let assembled = null; // { key, memory }: the memory questions read from now (assembled once, reused)
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
    tomeBytes = bytes;
    plan = assembled = null;
    wholeStopped = wholeAsked;
    if (Tome.modelLoaded()) Tome.memoryForget();
    opening = '';
    // A memory file (NAME.tome) carries its document: the page draws that document's own bytes.
    const carried = next.carried();
    return { info, outline, ...(carried ? { carried, inner: next.carriedDocBytes() } : {}) };
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
    plan = assembled = null; // a reading belongs to the model that made it
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
    const gpu = readsOnGpu(start);
    self.postMessage({ id, type: 'progress', progress: { stage: 'sources', ...start, backend: gpu ? engine : onCpu(engine.why) } });
    let text = '';
    for (;;) {
      await new Promise((r) => setTimeout(r, 0));
      if (stopReading) {
        Tome.readCancel();
        return { text, stop: 'cancelled' };
      }
      let step;
      if (gpu && engine.kind === 'gpu') {
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
  // Where the whole-document reading of the open document stands: planned (windows of `window`
  // tokens, 0 for the default), resumed after the windows stored before; when all are stored,
  // assembled, so questions read from it. -> { plan, done, memory: MemoryView | null }
  [KINDS.memoryStatus](id, { window }) {
    return oneAtATime(() => memoryStatus(window));
  },
  // Reads the planned reading's remaining windows, each kept in IndexedDB as soon as it is read,
  // with progress { stage: 'window', windows_done, windows, ... }; memoryStop stops it between
  // windows (what was read stays). -> { stopped: true, done } | { memory: MemoryView }
  [KINDS.memoryRead](id) {
    const ticket = ++wholeAsked;
    return oneAtATime(() => memoryRead(id, ticket));
  },
  // The whole reading as a memory file, for `tome ask NAME.tome` / `tome search` or another browser.
  async [KINDS.memoryFile]() {
    const doc = need();
    const name = `${doc.info().name}.tome`;
    if (doc.carried()) return { name: doc.carried(), bytes: doc.memoryFile(new Uint8Array()) };
    if (!plan) throw new Error('Nothing is read yet: read the whole document first.');
    return { name, bytes: doc.memoryFile(concat(await readingWindows(plan.key))) };
  },
  [KINDS.memoryStop]() {
    wholeStopped = wholeAsked;
    return true;
  },
  // Drops the open document's reading: the assembled memory and its stored windows.
  async [KINDS.memoryForget]() {
    if (Tome.modelLoaded()) Tome.memoryForget();
    if (plan) await forgetReading(plan.key);
    plan = assembled = null;
    return true;
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

// Where the open document's whole reading stands (see KINDS.memoryStatus).
async function memoryStatus(window) {
  const doc = need();
  if (!Tome.modelLoaded()) throw new Error('Load the model first: it reads the document.');
  // A .tome file opened: its memory is the reading (made by `tome read` or a page's "Save").
  // A memory of another model cannot be used: the document it carries can be read again here.
  const carried = doc.carried();
  let note;
  if (carried) {
    try {
      plan = null;
      if (assembled?.key !== carried) assembled = { key: carried, memory: doc.memoryAssembleCarried() };
      await fitMemoryOnGpu(assembled.memory);
      return { plan: null, done: 0, memory: assembled.memory, carried };
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || !/another model/.test(e.message)) throw e;
      note = e.message;
    }
  }
  plan = doc.memoryPlan(tomeBytes, window ?? 0);
  if (assembled?.key === plan.key) return { plan, done: plan.windows, memory: assembled.memory };
  const stored = await readingWindows(plan.key);
  const done = Tome.memoryResume(stored.length).windows_done;
  const memory = done === plan.windows ? assembleStored(doc, stored) : null;
  await fitMemoryOnGpu(memory);
  return { plan, done, memory, note };
}

// Reads the planned reading's remaining windows (see KINDS.memoryRead); `ticket` numbers the request.
async function memoryRead(id, ticket) {
  const doc = need();
  if (!plan) throw new Error('Nothing to read: ask where the reading stands first (memoryStatus).');
  const { key } = plan;
  await pruneReadings(key);
  for (;;) {
    await new Promise((r) => setTimeout(r, 0));
    const p = Tome.memoryProgress();
    // Stopped, or another document (or model) replaced this reading meanwhile.
    if (ticket <= wholeStopped || !p || plan?.key !== key) return { stopped: true, done: p?.windows_done ?? 0 };
    if (p.windows_done >= p.windows) break;
    const record = Tome.memoryReadNext();
    await keepWindow(key, p.windows_done, record);
    self.postMessage({ id, type: 'progress', progress: { stage: 'window', ...Tome.memoryProgress() } });
  }
  const memory = assembleStored(doc, await readingWindows(key));
  await fitMemoryOnGpu(memory);
  return { memory };
}

// Status and reading one after the other: a status asked while a reading runs (a second refresh of
// the page) would plan the reading again under it and move it back to its stored windows.
let memoryQueue = Promise.resolve();
function oneAtATime(job) {
  const run = memoryQueue.then(job, job);
  memoryQueue = run.catch(() => {});
  return run;
}

let stopReading = false;
// Whole readings are numbered as they are asked for; a Stop (or another document) stops every one
// asked for before it: the one running and one still queued behind a status (oneAtATime), which a
// flag reset when the reading starts would let through.
let wholeAsked = 0;
let wholeStopped = 0;

function concat(records) {
  const all = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of records) {
    all.set(r, at);
    at += r.length;
  }
  return all;
}

/** Assembles the memory from stored window records; a damaged store is dropped (the error says to read again). */
function assembleStored(doc, records, key = plan.key) {
  try {
    const memory = doc.memoryAssemble(concat(records));
    assembled = { key, memory };
    return memory;
  } catch (e) {
    forgetReading(key).catch(() => {});
    throw e;
  }
}

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

// One document being read: opens it in the worker with staged progress, then indexes it; it becomes
// the current document once indexed. Search, ask and slice go to the same worker. If the worker is
// replaced (Stop, or a crash on another file) the current document is opened again in the fresh
// one, a few times at most.
// Events: 'progress' {stage, label, step, steps, etaMs}, 'indexed' {passages}, 'restored',
// 'model' {state, text}: the language model's state (not loaded / downloading / loading / ready / error),
// kept in the worker across documents; after a worker restart it is loaded again from the cache.

import { WorkerClient } from './client.js';
import { KINDS, STAGES } from './protocol.js';
import { Eta } from './eta.js';

/** Worker restarts within a minute after which the current document is no longer read again. */
const MAX_RESTARTS = 3;

export class Session extends EventTarget {
  constructor() {
    super();
    this.client = new WorkerClient();
    this.client.onrestart = () => this.restore();
    this.doc = null; // { bytes, name, info, outline }
    this.faultNextOpen = false;
    this.faultNextIndex = false;
    this.restarts = []; // times of recent worker restarts
    this.indexed = null; // Promise<number> of the current document's index
    this.eta = new Eta();
    this.model = { state: 'not loaded', text: 'Model: not loaded' };
  }

  setModel(state, text) {
    this.model = { state, text: `Model: ${text}` };
    this.dispatchEvent(new CustomEvent('model', { detail: this.model }));
  }

  /** Loads the model (download with progress, or from this device's cache). `cachedOnly`: only if cached. */
  async loadModel({ cachedOnly = false } = {}) {
    if (this.model.state === 'ready') return true;
    try {
      const res = await this.client.call(KINDS.modelLoad, { cachedOnly }, {
        onProgress: (p) => {
          if (p.stage === 'download' && p.cached) this.setModel('loading', 'loading from this device…');
          else if (p.stage === 'download') this.setModel('downloading', `downloading ${Math.floor(p.fraction * 100)}% of ${Math.round((p.total || 0) / 1e6)} MB`);
          else if (p.stage === 'model-load') this.setModel('loading', 'loading…');
        },
      });
      if (!res.loaded) {
        this.setModel('not loaded', 'not loaded');
        return false;
      }
      this.setBackend(res.backend);
      return true;
    } catch (e) {
      this.setModel('error', `error: ${e.message}`);
      throw e;
    }
  }

  /** Where the model runs ({ kind, label, why } from the worker), said in the model's state. */
  setBackend(backend = { kind: 'cpu', label: 'CPU, one thread', why: '' }) {
    this.backend = backend;
    const threads = backend.threads > 1 ? `${backend.threads} threads` : 'one thread';
    const cpu = `on the CPU (${threads}${backend.threadsWhy ? `; ${backend.threadsWhy}` : ''})`;
    const where = backend.kind === 'gpu' ? `on WebGPU (${backend.label})` : cpu;
    this.setModel('ready', `ready (SmolLM2-135M ${where}${backend.why ? `: ${backend.why}` : ''})`);
  }

  /** The WebGPU adapter the worker got ({ ok, name, fallback, ... } or { ok: false, reason }); asked once per worker. */
  gpu() {
    this.gpuInfo ??= this.client.call(KINDS.gpuInfo, {}).catch((e) => ({ ok: false, reason: e.message }));
    return this.gpuInfo;
  }

  /** Greedy continuation ids of a raw prompt (the check against llama.cpp). */
  greedy(prompt, n) {
    return this.client.call(KINDS.greedy, { prompt, n });
  }

  bench(prefill = 128, decode = 32) {
    return this.client.call(KINDS.bench, { prefill, decode });
  }

  /** The model reads the passages retrieved for `question`; `onStep` gets sources, then each token. */
  async read(question, onStep) {
    await this.indexed;
    return this.client.call(KINDS.read, { question }, {
      onProgress: (p) => {
        if (p.stage === 'backend') this.setBackend(p.backend);
        onStep(p);
      },
    });
  }

  stopReading() {
    return this.client.call(KINDS.readStop, {});
  }

  /**
   * Where the whole-document reading of the current document stands ({ plan, done, memory }), with
   * windows of `window` tokens (0: the default). Stored windows are resumed; a complete reading is
   * assembled, and questions read from it.
   */
  async wholeStatus(window = 0) {
    await this.indexed;
    return this.client.call(KINDS.memoryStatus, { window });
  }

  /** Reads the rest of the whole document (after wholeStatus); `onWindow` hears each window. */
  readWhole(onWindow) {
    return this.client.call(KINDS.memoryRead, {}, { onProgress: onWindow });
  }

  /** The whole reading as a memory file: { name, bytes }. */
  saveWhole() {
    return this.client.call(KINDS.memoryFile, {});
  }

  stopWhole() {
    return this.client.call(KINDS.memoryStop, {});
  }

  forgetWhole() {
    return this.client.call(KINDS.memoryForget, {});
  }

  progress(p, bytes) {
    const step = STAGES.findIndex((s) => s.stage === p.stage) + 1;
    const detail = { ...p, step, steps: STAGES.length, etaMs: this.eta.start(p.stage, bytes) };
    this.dispatchEvent(new CustomEvent('progress', { detail }));
  }

  /**
   * Opens a document and indexes it; resolves once both are done. Only then is it the current
   * document: if opening or indexing fails, or Stop is pressed, the previous one stays (and is
   * opened again in a fresh worker when the worker had to be replaced).
   */
  async open(bytes, name) {
    // Test hooks (pages opened with ?test-hooks): this open, or its indexing, panics inside wasm.
    const kind = this.faultNextOpen ? KINDS.faultPanic : KINDS.open;
    const failIndex = this.faultNextIndex;
    this.faultNextOpen = this.faultNextIndex = false;
    const starts = this.client.starts;
    let indexing = false;
    try {
      const result = await this.client.call(kind, { bytes, name }, {
        onProgress: (p) => this.progress(p, bytes.length),
      });
      this.eta.done();
      const doc = { bytes, name, ...result };
      indexing = true;
      const passages = await this.index(bytes.length, failIndex ? name : null);
      this.doc = doc;
      this.indexed = Promise.resolve(passages);
      this.restarts = [];
      this.dispatchEvent(new CustomEvent('indexed', { detail: { passages } }));
      return doc;
    } catch (e) {
      // The worker read the new document but could not index it and is still running: it must
      // hold the previous document again. (A replaced worker restores it by itself.)
      if (indexing && this.client.starts === starts) await this.restore({ restarted: false });
      throw e;
    }
  }

  async index(bytes, faultName = null) {
    const call = faultName === null ? [KINDS.index, {}] : [KINDS.faultPanic, { name: faultName }];
    const { passages } = await this.client.call(...call, {
      onProgress: (p) => this.progress(p, bytes),
    });
    this.eta.done();
    return passages;
  }

  /**
   * After a restart (or a failed indexing): read the current document again so search and ask keep
   * working. Restarts are capped: after MAX_RESTARTS within a minute the document is not read again
   * (the page says so) instead of crashing the worker in a loop.
   */
  async restore({ restarted = true } = {}) {
    if (restarted) {
      this.gpuInfo = null;
      const now = Date.now();
      this.restarts = [...(this.restarts ?? []).filter((t) => now - t < 60_000), now];
      if (this.model.state !== 'not loaded') {
        this.setModel('not loaded', 'not loaded');
        this.loadModel({ cachedOnly: true }).catch(() => {});
      }
    }
    if (!this.doc) return;
    if (this.restarts?.length > MAX_RESTARTS) {
      this.dispatchEvent(new CustomEvent('gave-up', { detail: { restarts: this.restarts.length } }));
      return;
    }
    const { bytes, name } = this.doc;
    try {
      await this.client.call(KINDS.open, { bytes, name });
      this.indexed = this.index(bytes.length);
      const passages = await this.indexed;
      this.dispatchEvent(new CustomEvent('indexed', { detail: { passages } }));
      this.dispatchEvent(new Event('restored'));
    } catch {
      // A second failure leaves the outline on screen; search reports the error when used.
    }
  }

  async search(query, k = 10) {
    await this.indexed;
    return this.client.call(KINDS.search, { query, k });
  }

  async ask(question) {
    await this.indexed;
    return this.client.call(KINDS.ask, { question });
  }

  slice(start, end) {
    return this.client.call(KINDS.slice, { start, end });
  }

  stop() {
    this.client.stop();
  }

  /** Fault injection for the browser tests; the worker honours it only under ?test-hooks. */
  testHooks() {
    return {
      panicOnNextOpen: () => (this.faultNextOpen = true),
      panicOnNextIndex: () => (this.faultNextIndex = true),
      currentName: () => this.doc?.name ?? null,
      destroyGpuDevice: () => this.client.call(KINDS.gpuDestroy, {}),
      workerStarts: () => this.client.starts,
      // Status, read and Stop sent at once, as a quick Stop after "Read" can reach the worker while
      // the reading still waits behind a status: -> what the read answered.
      stopQueuedWhole: async (window) => {
        await this.indexed;
        const status = this.client.call(KINDS.memoryStatus, { window });
        const read = this.client.call(KINDS.memoryRead, {});
        await this.client.call(KINDS.memoryStop, {});
        await status;
        return read;
      },
    };
  }
}

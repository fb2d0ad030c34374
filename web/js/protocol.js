// The page <-> worker message protocol, and the errors the page shows.
//
// Request:  { id, kind, args }            kind is one of KINDS
// Reply:    { id, type: 'progress', progress: { stage, label } }   zero or more
//           { id, type: 'return', value }                           exactly one of these two
//           { id, type: 'throw', error: { name, message, fatal } }
// A `fatal` error means the wasm instance aborted (a panic inside it): the worker must be replaced.

/** Request kinds and their arguments. */
export const KINDS = Object.freeze({
  open: 'open', //     { bytes: Uint8Array, name }  -> { info, outline, carried?, inner? }: a memory file (NAME.tome) opens the document it carries (`inner`: its bytes)
  index: 'index', //   {}                            -> { passages }
  search: 'search', // { query, k }                 -> HitView[]
  ask: 'ask', //       { question }                 -> AnswerView
  slice: 'slice', //   { start, end }               -> string
  modelLoad: 'modelLoad', // { url, cachedOnly }     -> { loaded, layers, vocab, threads, backend: { kind: 'gpu'|'cpu', label, why } }; progress { stage: 'download'|'model-load', fraction }
  greedy: 'greedy', // { prompt, n }                -> token ids (raw prompt, greedy)
  bench: 'bench', //   { prefill, decode }          -> { prefill_tok_s, decode_tok_s, ... }
  benchPrompt: 'benchPrompt', // { n }               -> { ids, text }: the bench prompt, to give other engines
  kernelCheck: 'kernelCheck', // { seed }            -> { isa, seed, kernels: [{ kernel, compared, max_rel_err, bit_mismatches }] }: the wasm CPU kernels vs their scalar twins
  setPrefillChunk: 'setPrefillChunk', // { n }      -> the previous count: prompt tokens per reading step, from the next reading on
  setPoolSpins: 'setPoolSpins', // { helper, caller } -> undefined: spins before the CPU pool's threads sleep (bench)
  setKernels: 'setKernels', // { name }              -> the previous set's name: the loaded model's CPU kernels ('simd128' | 'scalar')
  read: 'read', //     { question }                 -> { text, stop }; progress { stage: 'sources' | 'token', piece, ... } | { stage: 'backend', backend } (WebGPU failed: the CPU continues)
  readStop: 'readStop', // {}                       -> true (the running read returns 'cancelled')
  memoryStatus: 'memoryStatus', // { window }         -> { plan: { key, windows, tokens, ratio, window, memory_bytes } | null, done, memory: { windows, tokens, ratio, memory_bytes, positions } | null, carried? }: the open document's whole reading, resumed from IndexedDB, assembled when complete (or the memory of the .tome file opened)
  memoryRead: 'memoryRead', // {}                    -> { memory } | { stopped: true, done }; progress { stage: 'window', windows_done, windows, tokens_done, tokens, resumed }
  memoryFile: 'memoryFile', // {}                    -> { name, bytes }: the whole reading as a memory file (tome ask / tome search read it)
  memoryStop: 'memoryStop', // {}                    -> true (the running memoryRead stops after its window; what was read stays)
  memoryForget: 'memoryForget', // {}                -> true: the memory and its stored windows dropped
  gpuInfo: 'gpuInfo', // {}                          -> { ok: true, label, name, backend, fallback, ... } | { ok: false, reason }
  gpuCheck: 'gpuCheck', // { n, seed }              -> { kernel, n, max_abs_diff, mismatches, adapter }: a WebGPU kernel vs its CPU twin
  gpuModelLoad: 'gpuModelLoad', // { nCtx }         -> { adapter, fallback, n_ctx, memory_bytes }: the loaded model uploaded to WebGPU
  gpuLogits: 'gpuLogits', // { text }               -> { ids, logits: Float32Array }: next-token logits of raw text on WebGPU
  gpuBench: 'gpuBench', // { prefill, decode }      -> { prefill_tok_s, decode_tok_s, ... } on WebGPU (greedy on the GPU)
  // Fault injection, for tests only: answered only by a worker started with `?test-hooks` (see
  // client.js); a real Rust panic inside wasm while "reading" `name`, so the crash path can be tested.
  faultPanic: 'faultPanic', // { name }              -> never returns: a fatal ReaderCrashedError naming `name`
  gpuDestroy: 'gpuDestroy', // {}                   -> bool: GPUDevice.destroy() on the model's WebGPU device (a real device loss)
});

/** Stages of opening a document, in order, with the words the progress bar shows. */
export const STAGES = Object.freeze([
  { stage: 'load', label: 'Starting the reader' },
  { stage: 'read', label: 'Reading the file' },
  { stage: 'outline', label: 'Finding the outline' },
  { stage: 'index', label: 'Indexing passages for search' },
]);

export function request(id, kind, args) {
  if (!(kind in KINDS)) throw new TypeError(`unknown request kind ${kind}`);
  return { id, kind, args };
}

export const reply = {
  progress: (id, stage) => ({ id, type: 'progress', progress: STAGES.find((s) => s.stage === stage) ?? { stage, label: stage } }),
  return: (id, value) => ({ id, type: 'return', value }),
  throw: (id, error, fatal = false) => ({
    id,
    type: 'throw',
    error: { name: error?.name ?? 'Error', message: String(error?.message ?? error), fatal },
  }),
};

/** The document could not be read; the message says why and what to do. */
export class DocumentError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DocumentError';
  }
}

/** The reader aborted on an internal error while handling a file; it was restarted. */
export class ReaderCrashedError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ReaderCrashedError';
  }
}

/** The person pressed Stop (or a newer request replaced this one). */
export class StoppedError extends Error {
  constructor() {
    super('Stopped.');
    this.name = 'StoppedError';
  }
}

/** Browser storage is full: the document works now but is not kept for offline use. */
export class StorageFullError extends Error {
  constructor() {
    super(
      'Browser storage is full, so this document is not kept for offline use. ' +
        'Remove recent documents (or free disk space / site data) and open it again to keep it.',
    );
    this.name = 'StorageFullError';
  }
}

/** Turns a `throw` reply into the matching Error class. */
export function errorFromReply({ name, message }) {
  if (name === 'ReaderCrashedError') return new ReaderCrashedError(message);
  if (name === 'DocumentError') return new DocumentError(message);
  const e = new Error(message);
  e.name = name;
  return e;
}

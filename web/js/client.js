// The page's side of the worker protocol: call(kind, args) -> Promise, progress callbacks, Stop.
// Stop (or a fatal reply, when the wasm instance aborted) terminates the worker, rejects every
// pending call, and starts a fresh worker; `onrestart` lets the owner restore its document.

import { request, errorFromReply, StoppedError } from './protocol.js';

/** The worker's URL; a page opened with `?test-hooks`, `?backend=` or `?threads=` passes them on. */
function workerUrl() {
  const url = new URL('./worker.js', import.meta.url);
  const page = new URLSearchParams(self.location?.search ?? '');
  if (page.has('test-hooks')) url.searchParams.set('test-hooks', '1');
  // ?backend=gpu|cpu forces where the model runs (tests force WebGPU on a software adapter).
  if (['gpu', 'cpu'].includes(page.get('backend'))) url.searchParams.set('backend', page.get('backend'));
  // ?threads=N: the model's CPU threads (default: the cores, at most 4; more than 1 needs isolation).
  if (/^\d+$/.test(page.get('threads') ?? '')) url.searchParams.set('threads', page.get('threads'));
  return url;
}

export class WorkerClient {
  constructor(url = workerUrl()) {
    this.url = url;
    this.starts = 0; // how many workers were started (1 + restarts)
    this.nextId = 1;
    this.pending = new Map(); // id -> { resolve, reject, onProgress }
    this.onrestart = null;
    this.start();
  }

  start() {
    this.worker = new Worker(this.url, { type: 'module' });
    this.starts += 1;
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.restart(new Error(`The reader failed to start: ${event.message || 'unknown error'}.`));
    };
  }

  receive({ id, type, progress, value, error }) {
    const call = this.pending.get(id);
    if (!call) return;
    if (type === 'progress') {
      call.onProgress?.(progress);
      return;
    }
    this.pending.delete(id);
    if (type === 'return') {
      call.resolve(value);
    } else {
      call.reject(errorFromReply(error));
      if (error.fatal) this.restart(errorFromReply(error));
    }
  }

  /** Sends one request; resolves with its value, rejects with a named Error. */
  call(kind, args = {}, { onProgress } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage(request(id, kind, args));
    });
  }

  get busy() {
    return this.pending.size > 0;
  }

  /** Stops whatever runs: the worker is replaced and pending calls reject with StoppedError. */
  stop() {
    this.restart(new StoppedError());
  }

  restart(reason) {
    this.worker.terminate();
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(reason);
    this.start();
    this.onrestart?.(reason);
  }
}

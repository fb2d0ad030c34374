// Threads for the model's CPU path. A page that is cross-origin isolated (COOP/COEP: `tome serve`,
// or the app's service worker on a static host) can share wasm memory between workers, so it loads
// the threaded build (pkg/mt, built with atomics by scripts/build-web.sh) and starts helper Web
// Workers on the same module and memory: one copy of the weights, the matmuls split over the
// threads (cpu/pool.rs). Any other page (a widget on someone else's site) loads the single-thread
// build and says why it has one thread. Runs in the model's worker.

/** Why this page cannot share memory between threads ('' when it can). */
export function isolationGap() {
  if (!self.crossOriginIsolated) return 'page not cross-origin isolated';
  if (typeof SharedArrayBuffer !== 'function') return 'no SharedArrayBuffer in this browser';
  return '';
}

/** At most this many threads unless asked (more rarely helps a 135M model, and costs the page's other work). */
const DEFAULT_MAX = 4;

/** Threads the model should use: `asked` (a modelLoad argument) or the page's ?threads=, else the cores, capped. */
export function threadsWanted(asked) {
  const param = new URL(self.location.href).searchParams.get('threads');
  for (const n of [asked, param].map(Number)) if (Number.isInteger(n) && n >= 1) return Math.min(n, 16);
  return Math.max(1, Math.min(navigator.hardwareConcurrency || 1, DEFAULT_MAX));
}

/**
 * Loads the wasm module this page can run: { Tome, threaded, why, module, memory }. The threaded
 * build when the page is isolated; otherwise, or when that build is missing or fails, the
 * single-thread one (`why` says why).
 */
export async function pickModule() {
  let why = isolationGap();
  if (!why) {
    try {
      const mt = await import('../pkg/mt/tome_mt.js');
      const module = await WebAssembly.compileStreaming(fetch(new URL('../pkg/mt/tome_mt_bg.wasm', import.meta.url)));
      const exports = await mt.default({ module_or_path: module });
      return { Tome: mt.Tome, threaded: true, why: '', module, memory: exports.memory };
    } catch (e) {
      why = `the threaded build did not load: ${e.message}`;
    }
  }
  const st = await import('../pkg/tome.js');
  await st.default({ module_or_path: new URL('../pkg/tome_bg.wasm', import.meta.url) });
  return { Tome: st.Tome, threaded: false, why };
}

let helpers = null;

/**
 * Starts `n` helper threads once per worker (later calls get the first answer): each instantiates
 * the module on the shared memory and waits in Rust for the model's pool. Resolves with
 * { started, why } once they wait there (or after a timeout, with fewer).
 */
export function startHelpers(wasm, n) {
  helpers ??= spawn(wasm, n);
  return helpers;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function spawn({ Tome, module, memory }, n) {
  if (n < 1) return { started: 0, why: '' };
  const url = new URL('./pool-worker.js', import.meta.url);
  const failures = [];
  const ready = Array.from({ length: n }, (_, i) => new Promise((resolve) => {
    const w = new Worker(url, { type: 'module', name: `tome-cpu-${i + 1}` });
    w.onmessage = ({ data }) => {
      if (data.error) failures.push(data.error);
      resolve();
    };
    w.onerror = (e) => {
      e.preventDefault();
      failures.push(e.message || 'a helper thread failed to start');
      resolve();
    };
    w.postMessage({ module, memory });
  }));
  await Promise.race([Promise.all(ready), sleep(30_000)]);
  // A helper says "ready" just before it calls into Rust: wait until it is parked there.
  const deadline = performance.now() + 5000;
  while (Tome.poolHelpersIdle() < n - failures.length && performance.now() < deadline) await sleep(2);
  const started = Tome.poolHelpersIdle();
  const why = started < n ? `${started} of ${n} helper threads started${failures.length ? ` (${failures[0]})` : ''}` : '';
  return { started, why };
}

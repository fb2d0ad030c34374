// A helper thread of the model's CPU path (see threads.js): the threaded wasm build on the model
// worker's module and shared memory; it parks in Rust (Tome.poolHelper never returns) and runs its
// share of the matmuls whenever the model's pool has a job.

import { initSync, Tome } from '../pkg/mt/tome_mt.js';

self.onmessage = ({ data: { module, memory } }) => {
  try {
    initSync({ module, memory });
  } catch (e) {
    self.postMessage({ error: `the threaded build did not start in a helper: ${e.message}` });
    return;
  }
  self.postMessage({ ready: true });
  Tome.poolHelper();
};

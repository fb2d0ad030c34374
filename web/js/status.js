// What runs where, said plainly: the WebGPU adapter (or CPU), the language model's state, offline.

export async function backend() {
  if (!navigator.gpu) return 'WebGPU: not available here, the CPU would be used';
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return 'WebGPU: no adapter, the CPU would be used';
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture || info.device].filter(Boolean).join(' ') || 'GPU';
    return `WebGPU: ${name}${info.isFallbackAdapter ? ' (software fallback)' : ''}`;
  } catch {
    return 'WebGPU: failed to start, the CPU would be used';
  }
}

/** The model's state in words; until it is ready, answers quote the document. */
export function modelState(model) {
  return model.state === 'ready' ? `${model.text}, reads the passages after each answer` : `${model.text}, answers quote the document`;
}

export function offlineState() {
  if (!('serviceWorker' in navigator)) return 'offline use not supported by this browser';
  return navigator.serviceWorker.controller ? 'works offline' : 'offline copy being prepared';
}

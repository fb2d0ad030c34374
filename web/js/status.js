// What runs where, said plainly: the WebGPU adapter the worker got (or CPU), the language model's
// state, offline.

/** "WebGPU (adapter)" when the worker has a WebGPU device, else "CPU" with the reason. */
export async function backend(session) {
  const gpu = await session.gpu();
  if (!gpu.ok) return `CPU (no WebGPU: ${gpu.reason.replace(/;.*$/, '')})`;
  return `WebGPU (${gpu.label}${gpu.fallback ? ', software' : ''})`;
}

/** The model's state in words; until it is ready, answers quote the document. */
export function modelState(model) {
  return model.state === 'ready' ? `${model.text}, reads the passages after each answer` : `${model.text}, answers quote the document`;
}

export function offlineState() {
  if (!('serviceWorker' in navigator)) return 'offline use not supported by this browser';
  return navigator.serviceWorker.controller ? 'works offline' : 'offline copy being prepared';
}

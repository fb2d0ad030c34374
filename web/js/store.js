// Documents kept in IndexedDB (bytes, info, outline) so reopening is instant and works offline.
// Keeps the most recent few; a full quota becomes a StorageFullError the page explains.

import { StorageFullError } from './protocol.js';

const DB = 'tome';
const STORE = 'documents';
const KEEP = 5;

function db() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'name' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function run(mode, fn) {
  return db().then((d) => new Promise((resolve, reject) => {
    const tx = d.transaction(STORE, mode);
    const result = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result.result ?? result);
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('storage failed'));
  }));
}

/** The stored documents, newest first, without their bytes. */
export async function recent() {
  const all = await run('readonly', (s) => s.getAll());
  return all.sort((a, b) => b.savedAt - a.savedAt);
}

export function load(name) {
  return run('readonly', (s) => s.get(name));
}

export async function save({ name, bytes, info, outline }) {
  try {
    await run('readwrite', (s) => s.put({ name, bytes, info, outline, savedAt: Date.now() }));
    const old = (await recent()).slice(KEEP);
    if (old.length) await run('readwrite', (s) => old.forEach((d) => s.delete(d.name)));
  } catch (e) {
    if (e?.name === 'QuotaExceededError') throw new StorageFullError();
    throw e;
  }
}

// Documents kept in IndexedDB (bytes, info, outline) so reopening is instant and works offline.
// Keeps the most recent few; a full quota becomes a StorageFullError the page explains.
// Also the windows of whole-document readings ("Read the whole document"), each the memory file's
// record of one window, kept as soon as it is read: a reload resumes the reading, and a finished
// one is assembled again instead of read again. The worker reads and writes them.
//
// Documents are keyed by the SHA-256 of their bytes: two files with one name are two documents,
// the same file opened twice is one. One connection serves the page; when another tab upgrades
// the database (`versionchange`) it is closed and the next call opens a fresh one.

import { StorageFullError } from './protocol.js';

const DB = 'tome';
const VERSION = 3;
const STORE = 'docs';
const KEEP = 20;
// Windows of readings: { key, i, record }, keyed by [reading key, window number]; and per reading
// { key, savedAt } (when a window was last kept), so pruning never loads the windows.
const MEMORY = 'memory';
const READINGS = 'readings';
// Readings kept (a novel's takes up to 256 MB): the most recently used ones.
const KEEP_READINGS = 3;

let connection = null; // Promise<IDBDatabase>

function db() {
  connection ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, VERSION);
    req.onupgradeneeded = () => {
      const d = req.result;
      // Version 1 kept documents by file name only; they are dropped (bytes can be opened again).
      if (d.objectStoreNames.contains('documents')) d.deleteObjectStore('documents');
      if (!d.objectStoreNames.contains(STORE)) d.createObjectStore(STORE, { keyPath: 'id' });
      if (!d.objectStoreNames.contains(MEMORY)) d.createObjectStore(MEMORY, { keyPath: ['key', 'i'] });
      if (!d.objectStoreNames.contains(READINGS)) d.createObjectStore(READINGS, { keyPath: 'key' });
    };
    req.onsuccess = () => {
      const d = req.result;
      d.onversionchange = () => {
        d.close();
        connection = null;
      };
      d.onclose = () => (connection = null);
      resolve(d);
    };
    req.onerror = () => {
      connection = null;
      reject(req.error);
    };
    req.onblocked = () => {
      connection = null;
      reject(new Error('the document store is busy in another tab; close it and reload'));
    };
  });
  return connection;
}

/**
 * Runs `fn(store)` in one transaction on the store `name` (or `fn(store, ...)` on each of several
 * names); resolves, once it commits, with the value of the request `fn` returns (if any).
 */
async function run(mode, fn, name = STORE) {
  const d = await db();
  const names = [name].flat();
  return new Promise((resolve, reject) => {
    const tx = d.transaction(names, mode);
    const req = fn(...names.map((n) => tx.objectStore(n)));
    tx.oncomplete = () => resolve(req instanceof IDBRequest ? req.result : undefined);
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('storage failed'));
  });
}

async function contentId(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The stored documents, newest first. */
export async function recent() {
  const all = await run('readonly', (s) => s.getAll());
  return all.sort((a, b) => b.savedAt - a.savedAt);
}

/** A stored document by its id (the SHA-256 of its bytes). */
export function load(id) {
  return run('readonly', (s) => s.get(id));
}

/** Stores a document (replacing the same bytes stored before); resolves with its id. */
export async function save({ name, bytes, info, outline }) {
  try {
    const id = await contentId(bytes);
    await run('readwrite', (s) => s.put({ id, name, bytes, info, outline, savedAt: Date.now() }));
    const old = (await recent()).slice(KEEP);
    if (old.length) await run('readwrite', (s) => old.forEach((d) => s.delete(d.id)));
    return id;
  } catch (e) {
    if (e?.name === 'QuotaExceededError') throw new StorageFullError();
    throw e;
  }
}

const windowsOf = (key) => IDBKeyRange.bound([key, 0], [key, Infinity]);

/** The stored window records of reading `key`, in order, as far as they run on from window 0. */
export async function readingWindows(key) {
  const rows = await run('readonly', (s) => s.getAll(windowsOf(key)), MEMORY);
  const records = [];
  for (const r of rows.sort((a, b) => a.i - b.i)) {
    if (r.i !== records.length) break;
    records.push(r.record);
  }
  return records;
}

/** Keeps window `i`'s record of reading `key`. */
export async function keepWindow(key, i, record) {
  try {
    await run('readwrite', (windows, readings) => {
      readings.put({ key, savedAt: Date.now() });
      return windows.put({ key, i, record });
    }, [MEMORY, READINGS]);
  } catch (e) {
    if (e?.name === 'QuotaExceededError') throw new StorageFullError();
    throw e;
  }
}

/** Drops reading `key`'s windows. */
export function forgetReading(key) {
  return run('readwrite', (windows, readings) => {
    readings.delete(key);
    return windows.delete(windowsOf(key));
  }, [MEMORY, READINGS]);
}

/** Drops the windows of all readings but the KEEP_READINGS most recently written (`key` always kept). */
export async function pruneReadings(key) {
  const all = await run('readonly', (readings) => readings.getAll(), READINGS);
  const old = all.filter((r) => r.key !== key).sort((a, b) => b.savedAt - a.savedAt).slice(KEEP_READINGS - 1);
  for (const { key: k } of old) await forgetReading(k);
}

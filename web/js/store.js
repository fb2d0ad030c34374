// Documents kept in IndexedDB (bytes, info, outline) so reopening is instant and works offline.
// Keeps the most recent few; a full quota becomes a StorageFullError the page explains.
//
// Documents are keyed by the SHA-256 of their bytes: two files with one name are two documents,
// the same file opened twice is one. One connection serves the page; when another tab upgrades
// the database (`versionchange`) it is closed and the next call opens a fresh one.

import { StorageFullError } from './protocol.js';

const DB = 'tome';
const VERSION = 2;
const STORE = 'docs';
const KEEP = 20;

let connection = null; // Promise<IDBDatabase>

function db() {
  connection ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, VERSION);
    req.onupgradeneeded = () => {
      const d = req.result;
      // Version 1 kept documents by file name only; they are dropped (bytes can be opened again).
      if (d.objectStoreNames.contains('documents')) d.deleteObjectStore('documents');
      if (!d.objectStoreNames.contains(STORE)) d.createObjectStore(STORE, { keyPath: 'id' });
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

/** Runs `fn(store)` in one transaction; resolves, once it commits, with the value of the request `fn` returns (if any). */
async function run(mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const tx = d.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
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

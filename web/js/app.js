// The page: open a document by drop, file picker, the bundled sample or the recent list, and read it
// with the shared Reader. Keeps opened documents in IndexedDB and reopens the last one on load.

import { Reader } from './reader.js';
import * as store from './store.js';
import { backend, modelState, offlineState } from './status.js';

const $ = (id) => document.getElementById(id);
const reader = new Reader($('reader'));
// Fault injection for the browser tests, only on a page opened with ?test-hooks.
if (new URLSearchParams(location.search).has('test-hooks')) window.tomeTestHooks = reader.session.testHooks();
const notice = $('notice');

function say(message) {
  notice.textContent = message;
  notice.hidden = !message;
}

async function openFile(file) {
  say('');
  const bytes = new Uint8Array(await file.arrayBuffer());
  document.body.classList.add('has-doc');
  await reader.open(bytes, file.name);
}

async function openStored(id) {
  const doc = await store.load(id);
  if (!doc) return;
  document.body.classList.add('has-doc');
  await reader.open(doc.bytes, doc.name, doc);
}

async function refreshRecent() {
  const list = $('recent');
  const docs = await store.recent().catch(() => []);
  list.replaceChildren(new Option('Recent documents…', ''), ...docs.map((d) => new Option(d.name, d.id)));
  list.hidden = docs.length === 0;
  return docs;
}

reader.el.addEventListener('opened', async ({ detail }) => {
  try {
    localStorage.setItem('tome.last', await store.save(detail));
  } catch (e) {
    say(e.message);
  }
  refreshRecent();
});

$('file').addEventListener('change', (e) => {
  const file = e.target.files[0];
  e.target.value = ''; // so choosing the same file again opens it again
  if (file) openFile(file);
});
$('recent').addEventListener('change', (e) => e.target.value && openStored(e.target.value));
$('sample').addEventListener('click', async () => {
  try {
    const res = await fetch('pkg/sample/R-intro.pdf');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    await openFile(new File([await res.blob()], 'R-intro.pdf'));
  } catch (e) {
    say(`The sample could not be loaded (${e.message}); run scripts/build-web.sh and reload.`);
  }
});

// Drop anywhere on the page.
addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dragging');
});
addEventListener('dragleave', (e) => e.relatedTarget || document.body.classList.remove('dragging'));
addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const file = e.dataTransfer?.files?.[0];
  if (file) openFile(file);
  else say('Drop a file from your computer (a PDF, text or Markdown file).');
});

async function showState() {
  $('state').textContent = [await backend(reader.session), modelState(reader.session.model), offlineState()].join(' · ');
}

reader.el.addEventListener('model', showState);

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('sw.js').catch((e) => say(`Offline use is off: ${e.message}`));
  navigator.serviceWorker.addEventListener('controllerchange', showState);
}
showState();

const last = localStorage.getItem('tome.last');
refreshRecent().then((docs) => {
  if (last && docs.some((d) => d.id === last)) openStored(last);
});

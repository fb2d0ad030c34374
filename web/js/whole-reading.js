// "Read the whole document", shared by the page and the widget: where the open document's reading
// stands (resumed from this device's storage; a finished one is assembled, and the model's answers
// read it), the reading itself with progress, time left and Stop, and Forget. The worker reads and
// stores (see the memory* requests in protocol.js); this renders into the reader's `.whole` box.

export class WholeReading {
  constructor(box, session, showError) {
    this.box = box;
    this.session = session;
    this.showError = showError;
    const $ = (s) => box.querySelector(s);
    this.read = $('.read-whole');
    this.stop = $('.stop-whole');
    this.forget = $('.forget-whole');
    this.save = $('.save-whole');
    this.state = $('.whole-state');
    // Tokens per window: ?memory-window=N on the page, else tome's default.
    this.window = Number(new URLSearchParams(location.search).get('memory-window')) || 0;
    this.running = false;
    this.model = 'not loaded';
    this.read.addEventListener('click', () => this.run());
    this.stop.addEventListener('click', () => this.session.stopWhole().catch(() => {}));
    this.forget.addEventListener('click', () => this.drop());
    this.save.addEventListener('click', () => this.download());
  }

  /** The model's state changed: a model that became ready may read (or resume); none hides the box. */
  modelState(state) {
    if (state === 'ready' && this.model !== 'ready') this.refresh();
    if (state !== 'ready') this.box.hidden = true;
    this.model = state;
  }

  /** Asks the worker where the open document's reading stands, once it is indexed and the model ready. */
  async refresh() {
    if (this.session.model.state !== 'ready' || !this.session.doc || this.running) return;
    this.box.hidden = false;
    try {
      const { plan, done, memory, carried, note } = await this.session.wholeStatus(this.window);
      // A reading started meanwhile (a second refresh answered late): its progress owns the box.
      if (this.running) return;
      this.show(plan, done, memory, carried);
      if (note) this.state.textContent = `${note}. ${this.state.textContent}`;
    } catch (error) {
      if (!this.running) this.failed('cannot be read', error);
    }
  }

  show(plan, done, memory, carried = null) {
    const tokens = (n) => `${n.toLocaleString()} tokens`;
    this.stop.hidden = true;
    this.save.hidden = !memory || Boolean(carried);
    if (memory) {
      this.read.hidden = true;
      // A .tome file's memory goes with the file: open the document itself to read it anew.
      this.forget.hidden = Boolean(carried);
      this.state.dataset.state = 'read';
      this.state.textContent = `The whole document is read${carried ? ` (from ${carried})` : ''} ` +
        `(${memory.windows} windows, ${tokens(memory.tokens)}, ` +
        `kept 1 in ${memory.ratio}: ${(memory.memory_bytes / 1e6).toFixed(1)} MB on this device): ` +
        "the model's answers read its memory before the passages.";
      return;
    }
    this.read.hidden = false;
    this.forget.hidden = done === 0;
    this.state.dataset.state = done ? 'stopped' : 'unread';
    this.read.textContent = done
      ? `Resume reading the whole document (${done} of ${plan.windows} windows read)`
      : `Read the whole document (${plan.windows} windows, ${tokens(plan.tokens)})`;
    this.state.textContent = done
      ? `Stopped after ${done} of ${plan.windows} windows; they are kept on this device and Resume reads on from there.`
      : 'The model reads it once, here, window by window, and keeps what it read (condensed) on this device; ' +
        'questions then read that memory. It takes long on a CPU: Stop keeps what was read.';
  }

  failed(what, error) {
    this.stop.hidden = this.save.hidden = true;
    this.read.hidden = false;
    this.read.textContent = 'Read the whole document';
    this.forget.hidden = false;
    this.state.dataset.state = 'failed';
    this.state.textContent = `The whole document ${what}: ${error.message}`;
  }

  /** Reads the rest of the document; the progress line says where it is and how long is left. */
  async run() {
    this.read.hidden = this.forget.hidden = this.save.hidden = true;
    this.stop.hidden = false;
    this.state.dataset.state = 'reading';
    this.state.textContent = 'Reading the whole document…';
    this.running = true;
    const t0 = performance.now();
    let res;
    try {
      res = await this.session.readWhole((p) => {
        if (p.stage !== 'window') return;
        // Time per token read in this run (windows resumed from storage took none).
        const read = p.tokens_done - p.resumed_tokens;
        const perToken = read > 0 ? (performance.now() - t0) / read : 0;
        const left = perToken && p.windows_done < p.windows ? Math.ceil((perToken * (p.tokens - p.tokens_done)) / 60_000) : null;
        this.state.textContent = `Reading the whole document: window ${p.windows_done} of ${p.windows} ` +
          `(${p.tokens_done.toLocaleString()} of ${p.tokens.toLocaleString()} tokens)` +
          (left !== null ? `, about ${left} min left` : '');
      });
    } catch (error) {
      this.running = false;
      this.failed('could not be read', error);
      return;
    }
    this.running = false;
    if (res.memory) this.show(null, 0, res.memory);
    else await this.refresh();
  }

  /** Saves the reading as NAME.tome: `tome ask NAME.tome QUESTION` answers from it without reading again. */
  async download() {
    try {
      const { name, bytes } = await this.session.saveWhole();
      const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: name });
      this.box.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      this.showError(error);
    }
  }

  async drop() {
    try {
      await this.session.forgetWhole();
    } catch (error) {
      this.showError(error);
    }
    await this.refresh();
  }
}

// The progress bar: stage n of N, its words, elapsed and estimated time left, and a Stop button.

export class Progress {
  constructor(el, onStop) {
    this.el = el;
    el.className = 'progress';
    el.hidden = true;
    el.setAttribute('role', 'status');
    this.label = document.createElement('span');
    this.label.className = 'label';
    this.bar = document.createElement('progress');
    this.bar.max = 1;
    this.time = document.createElement('span');
    this.time.className = 'time';
    const stop = document.createElement('button');
    stop.type = 'button';
    stop.className = 'stop';
    stop.textContent = 'Stop';
    stop.addEventListener('click', onStop);
    el.append(this.label, this.bar, this.time, stop);
    this.timer = null;
  }

  /** `p`: { label, step, steps, etaMs } from the session, or a plain { label }. */
  update(p) {
    this.el.hidden = false;
    this.label.textContent = p.steps ? `${p.label} (step ${p.step} of ${p.steps})` : p.label;
    const t0 = performance.now();
    const tick = () => {
      const spent = performance.now() - t0;
      const part = p.etaMs ? Math.min(spent / p.etaMs, 0.95) : null;
      this.bar.value = p.steps ? (p.step - 1 + (part ?? 0.5)) / p.steps : undefined;
      if (!p.steps) this.bar.removeAttribute('value');
      const left = p.etaMs ? Math.max(0, (p.etaMs - spent) / 1000) : null;
      this.time.textContent = left !== null ? `about ${left.toFixed(left < 10 ? 1 : 0)} s left` : `${(spent / 1000).toFixed(1)} s`;
    };
    clearInterval(this.timer);
    tick();
    this.timer = setInterval(tick, 200);
  }

  done() {
    clearInterval(this.timer);
    this.el.hidden = true;
  }
}

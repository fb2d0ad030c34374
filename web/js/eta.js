// Estimated time left for a stage, from how fast this browser did the same stage before
// (milliseconds per megabyte, remembered in localStorage).

const KEY = 'tome.stage-rates';

export class Eta {
  constructor() {
    this.current = null;
    try {
      this.rates = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    } catch {
      this.rates = {};
    }
  }

  /** Starts a stage; returns the expected milliseconds it takes, or null when unknown. */
  start(stage, bytes) {
    this.finish();
    this.current = { stage, mb: Math.max(bytes / 1e6, 0.01), t0: performance.now() };
    const rate = this.rates[stage];
    return rate ? rate * this.current.mb : null;
  }

  finish() {
    if (!this.current) return;
    const { stage, mb, t0 } = this.current;
    const rate = (performance.now() - t0) / mb;
    const old = this.rates[stage];
    this.rates[stage] = old ? 0.5 * old + 0.5 * rate : rate;
    this.current = null;
  }

  done() {
    this.finish();
    try {
      localStorage.setItem(KEY, JSON.stringify(this.rates));
    } catch {
      // Storage may be full or off; estimates just stay unknown.
    }
  }
}

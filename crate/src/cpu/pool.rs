//! A persistent worker pool: `run(f)` calls `f(i, n)` on n threads (the caller is thread 0) and returns
//! when all are done. A forward pass dispatches ~150 jobs per token at a few milliseconds per token, so
//! workers spin briefly between jobs instead of sleeping (a condvar wake-up per job would cost more than
//! the jobs), and only park after a quiet spell.
//!
//! On wasm there is no `std::thread::spawn`. The threaded wasm build (`+atomics`, shared memory; see
//! scripts/build-web.sh) has helper threads instead: Web Workers that the page's model worker starts on the
//! same module and memory, each of which calls [`wasm_helper`] and stays there. A pool borrows idle helpers
//! as its workers and gives them back when dropped. There helpers spin much less before they park, and the
//! caller parks too while it waits for them (`HELPER_SPINS`, `CALLER_SPINS`: a browser on a busy machine
//! punishes spinning more than waking). Without atomics a wasm pool has one thread: `run` calls `f(0, 1)`
//! directly.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
#[cfg(all(target_family = "wasm", target_feature = "atomics"))]
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex};

type Job = dyn Fn(usize, usize) + Sync;

struct Shared {
    /// The current job, lifetime-erased; valid while `remaining > 0` for this epoch.
    job: Mutex<Option<JobPtr>>,
    epoch: AtomicU64,
    remaining: AtomicUsize,
    panicked: AtomicBool,
    stop: AtomicBool,
    sleepers: AtomicUsize,
    /// The caller of `run` sleeps on `done` until `remaining` reaches 0 (wasm, after its spins).
    #[cfg_attr(all(target_family = "wasm", not(target_feature = "atomics")), allow(dead_code))]
    caller_parked: AtomicBool,
    #[cfg_attr(all(target_family = "wasm", not(target_feature = "atomics")), allow(dead_code))]
    done: Condvar,
    /// Workers that have left their loop (the wasm helpers count themselves out here on drop).
    #[cfg_attr(not(all(target_family = "wasm", target_feature = "atomics")), allow(dead_code))]
    left: AtomicUsize,
    lock: Mutex<()>,
    wake: Condvar,
}

#[derive(Clone, Copy)]
struct JobPtr(
    #[cfg_attr(not(any(not(target_family = "wasm"), target_feature = "atomics")), allow(dead_code))]
    *const Job,
);
// SAFETY: the pointee is Sync and outlives every use (run() waits for all workers before returning).
unsafe impl Send for JobPtr {}

pub struct Pool {
    n: usize,
    shared: Arc<Shared>,
    #[cfg(not(target_family = "wasm"))]
    handles: Vec<std::thread::JoinHandle<()>>,
}

/// How long an idle worker spins before parking.
#[cfg(not(target_family = "wasm"))]
const SPIN: std::time::Duration = std::time::Duration::from_millis(3);
/// wasm has no clock in std (`Instant::now` panics there): an idle helper counts its spins instead,
/// then parks (Atomics.wait). Short: in a browser on a busy machine a spinning helper takes the core
/// the model's thread (or the other helper) needs, and there `yield_now` does nothing. Measured (bench
/// page `&spins=`, 2 threads, loaded 2-core machine): first answer token 9.3 s spinning 2^18 checks
/// with a caller that never sleeps, 4.3 s with 4096 and 4096 (README, "with threads" row).
#[cfg(all(target_family = "wasm", target_feature = "atomics"))]
static HELPER_SPINS: AtomicU32 = AtomicU32::new(4096);
/// Checks of `remaining` before the caller of `run` parks until its helpers are done (a caller whose
/// helper was descheduled would otherwise burn its own core waiting for it).
#[cfg(all(target_family = "wasm", target_feature = "atomics"))]
static CALLER_SPINS: AtomicU32 = AtomicU32::new(4096);

/// Sets how long idle helpers and the waiting caller spin before they park (checks; `u32::MAX`:
/// never). For measuring the trade between wake-up latency and cores burnt (bench page).
#[cfg(all(target_family = "wasm", target_feature = "atomics"))]
pub fn set_wasm_spins(helper: u32, caller: u32) {
    HELPER_SPINS.store(helper, Relaxed);
    CALLER_SPINS.store(caller, Relaxed);
}

/// Whether a worker that started waiting at `start` and has checked `spins` times should park now.
#[cfg(not(target_family = "wasm"))]
fn spun_enough(start: std::time::Instant, spins: u32) -> bool {
    spins.is_multiple_of(256) && start.elapsed() > SPIN
}

#[cfg(all(target_family = "wasm", target_feature = "atomics"))]
fn spun_enough(_start: (), spins: u32) -> bool {
    spins >= HELPER_SPINS.load(Relaxed)
}

impl Pool {
    /// A pool of `n` threads (at least 1). On wasm: 1 + as many of the idle helper threads as it can
    /// have (none without atomics).
    pub fn new(n: usize) -> Pool {
        let n = if cfg!(target_family = "wasm") && !cfg!(target_feature = "atomics") { 1 } else { n.max(1) };
        let shared = Arc::new(Shared {
            job: Mutex::new(None),
            epoch: AtomicU64::new(0),
            remaining: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            sleepers: AtomicUsize::new(0),
            caller_parked: AtomicBool::new(false),
            done: Condvar::new(),
            left: AtomicUsize::new(0),
            lock: Mutex::new(()),
            wake: Condvar::new(),
        });
        #[cfg(all(target_family = "wasm", target_feature = "atomics"))]
        let n = helpers::lend(&shared, n);
        #[cfg(not(target_family = "wasm"))]
        let handles = {
            let spawned: Vec<_> = (1..n)
                .map(|i| {
                    let s = shared.clone();
                    std::thread::Builder::new().name(format!("tome-cpu-{i}")).spawn(move || worker(&s, i, n))
                })
                .collect();
            if spawned.iter().any(|h| h.is_err()) {
                // The system refused a thread: stop the ones that started and run on this thread alone.
                let handles = spawned.into_iter().filter_map(Result::ok).collect();
                drop(Pool { n, shared, handles });
                return Pool::new(1);
            }
            spawned.into_iter().filter_map(Result::ok).collect()
        };
        Pool {
            n,
            shared,
            #[cfg(not(target_family = "wasm"))]
            handles,
        }
    }

    pub fn threads(&self) -> usize {
        self.n
    }

    /// Calls `f(i, n)` for i in 0..n, in parallel, and waits for all of them.
    pub fn run(&self, f: &(dyn Fn(usize, usize) + Sync)) {
        if self.n == 1 {
            f(0, 1);
            return;
        }
        let s = &*self.shared;
        // SAFETY: erase the lifetime; the workers only touch the job until `remaining` reaches 0,
        // and we wait for that below before `f` goes out of scope.
        let ptr: *const Job =
            unsafe { std::mem::transmute::<&(dyn Fn(usize, usize) + Sync), &'static Job>(f) };
        *lock(&s.job) = Some(JobPtr(ptr));
        s.remaining.store(self.n - 1, SeqCst);
        s.epoch.fetch_add(1, SeqCst);
        if s.sleepers.load(SeqCst) > 0 {
            let _g = lock(&s.lock);
            s.wake.notify_all();
        }
        // Waits for the workers when dropped, which happens on unwinding too: if the caller's own
        // share panics, `f` must still outlive every worker that runs it.
        let workers = WaitForWorkers(s);
        f(0, self.n);
        drop(workers);
        if s.panicked.swap(false, SeqCst) {
            panic!("a tome-cpu worker thread panicked");
        }
    }
}

/// Returns (on drop) once no worker runs the current job any more, and clears it.
struct WaitForWorkers<'a>(&'a Shared);

impl Drop for WaitForWorkers<'_> {
    fn drop(&mut self) {
        let s = self.0;
        let mut spins = 0u32;
        while s.remaining.load(SeqCst) != 0 {
            #[cfg(all(target_family = "wasm", target_feature = "atomics"))]
            if helpers::DIED.load(SeqCst) {
                panic!("a tome-cpu helper thread (Web Worker) panicked; see its message above");
            }
            // On an oversubscribed machine the worker we wait for may be descheduled: after a short
            // spin, give the core away instead of burning our time slice.
            spins += 1;
            if spins < 2000 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
            #[cfg(all(target_family = "wasm", target_feature = "atomics"))]
            if spins >= CALLER_SPINS.load(Relaxed) {
                park_until_done(s);
            }
        }
        *lock(&s.job) = None;
    }
}

/// Sleeps until the workers are done with the current job (the last one wakes us); wakes every
/// 10 ms anyway to notice a helper that died.
#[cfg(all(target_family = "wasm", target_feature = "atomics"))]
fn park_until_done(s: &Shared) {
    let mut g = lock(&s.lock);
    s.caller_parked.store(true, SeqCst);
    while s.remaining.load(SeqCst) != 0 && !helpers::DIED.load(SeqCst) {
        g = s
            .done
            .wait_timeout(g, std::time::Duration::from_millis(10))
            .map_or_else(|e| e.into_inner().0, |r| r.0);
    }
    s.caller_parked.store(false, SeqCst);
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(any(not(target_family = "wasm"), target_feature = "atomics"))]
fn worker(s: &Shared, i: usize, n: usize) {
    let mut seen = 0u64;
    loop {
        #[cfg(not(target_family = "wasm"))]
        let start = std::time::Instant::now();
        #[cfg(target_family = "wasm")]
        let start = ();
        let mut spins = 0u32;
        while s.epoch.load(SeqCst) == seen && !s.stop.load(SeqCst) {
            if spins < 2000 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
            spins += 1;
            if spun_enough(start, spins) {
                let mut g = lock(&s.lock);
                s.sleepers.fetch_add(1, SeqCst);
                while s.epoch.load(SeqCst) == seen && !s.stop.load(SeqCst) {
                    g = s.wake.wait(g).unwrap_or_else(|e| e.into_inner());
                }
                s.sleepers.fetch_sub(1, SeqCst);
            }
        }
        if s.stop.load(SeqCst) {
            return;
        }
        seen = s.epoch.load(SeqCst);
        let job = *lock(&s.job);
        if let Some(JobPtr(p)) = job {
            // SAFETY: see `run`: the job outlives this call.
            let f = unsafe { &*p };
            // (wasm aborts on panic, no unwinding: see helpers for what the model's thread hears.)
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(i, n))).is_err() {
                s.panicked.store(true, SeqCst);
            }
        }
        // The last worker out wakes a caller that went to sleep waiting (under the lock, which the
        // caller holds from raising its flag until it sleeps: the wake-up cannot fall between).
        if s.remaining.fetch_sub(1, SeqCst) == 1 && s.caller_parked.load(SeqCst) {
            let _g = lock(&s.lock);
            s.done.notify_one();
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.stop.store(true, SeqCst);
        {
            let _g = lock(&self.shared.lock);
            self.shared.wake.notify_all();
        }
        #[cfg(not(target_family = "wasm"))]
        for h in self.handles.drain(..) {
            let _ = h.join();
        }
        #[cfg(all(target_family = "wasm", target_feature = "atomics"))]
        helpers::take_back(&self.shared, self.n);
    }
}

/// The threaded wasm build's helper threads: Web Workers parked in [`wasm_helper`] until a pool borrows them.
#[cfg(all(target_family = "wasm", target_feature = "atomics"))]
mod helpers {
    use super::*;

    /// The pool that currently borrows helpers, how many it wants and the next worker index to hand out.
    struct Lending {
        shared: Option<Arc<Shared>>,
        n: usize,
        next: usize,
    }

    static LENDING: Mutex<Lending> = Mutex::new(Lending { shared: None, n: 0, next: 1 });
    static CALL: Condvar = Condvar::new();
    /// Helpers waiting for a pool (read under LENDING's lock).
    static IDLE: AtomicUsize = AtomicUsize::new(0);
    /// Set by a helper that panicked (wasm aborts: it never finishes its share).
    pub(super) static DIED: AtomicBool = AtomicBool::new(false);

    thread_local! {
        static IS_HELPER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// Lends up to n - 1 idle helpers to the pool `shared`; returns the pool's thread count.
    pub(super) fn lend(shared: &Arc<Shared>, n: usize) -> usize {
        let mut g = lock(&LENDING);
        let n = n.min(1 + IDLE.load(SeqCst));
        if n > 1 {
            *g = Lending { shared: Some(shared.clone()), n, next: 1 };
            CALL.notify_all();
        }
        n
    }

    /// Waits (on drop of the pool) until every helper it borrowed has left its loop.
    pub(super) fn take_back(shared: &Arc<Shared>, n: usize) {
        if n < 2 {
            return;
        }
        {
            let mut g = lock(&LENDING);
            if g.shared.as_ref().is_some_and(|s| Arc::ptr_eq(s, shared)) {
                // Helpers that never picked up their index will not come: count them out.
                shared.left.fetch_add(g.n - g.next, SeqCst);
                *g = Lending { shared: None, n: 0, next: 1 };
            }
        }
        while shared.left.load(SeqCst) < n - 1 && !DIED.load(SeqCst) {
            std::hint::spin_loop();
        }
    }

    pub(super) fn is_helper() -> bool {
        IS_HELPER.with(|h| h.get())
    }

    pub(super) fn run_forever() {
        IS_HELPER.with(|h| h.set(true));
        loop {
            let (s, i, n) = {
                let mut g = lock(&LENDING);
                IDLE.fetch_add(1, SeqCst);
                let got = loop {
                    if let Some(s) = g.shared.clone()
                        && g.next < g.n
                    {
                        let i = g.next;
                        g.next += 1;
                        break (s, i, g.n);
                    }
                    g = CALL.wait(g).unwrap_or_else(|e| e.into_inner());
                };
                IDLE.fetch_sub(1, SeqCst);
                got
            };
            worker(&s, i, n);
            s.left.fetch_add(1, SeqCst);
        }
    }

    /// Helpers now waiting for a pool.
    pub(super) fn idle() -> usize {
        let _g = lock(&LENDING);
        IDLE.load(SeqCst)
    }
}

/// The body of a helper thread in the threaded wasm build: a Web Worker on the model's module and
/// memory calls this and never returns; pools created afterwards run their jobs on it too.
#[cfg(all(target_family = "wasm", target_feature = "atomics"))]
pub fn wasm_helper() {
    helpers::run_forever()
}

/// How many helper threads wait for a pool (the page starts them, then waits for this count).
#[cfg(all(target_family = "wasm", target_feature = "atomics"))]
pub fn wasm_helpers_idle() -> usize {
    helpers::idle()
}

/// Called from the panic hook: a helper thread that panics aborts (wasm does not unwind), so it tells the
/// model's thread, which then stops waiting for it and panics in turn (the page restarts the worker).
#[cfg(all(target_family = "wasm", target_feature = "atomics"))]
pub fn wasm_note_panic() {
    if helpers::is_helper() {
        helpers::DIED.store(true, SeqCst);
    }
}

/// A raw pointer that threads may share to write disjoint parts of one buffer.
#[derive(Clone, Copy)]
pub struct SharedMut<T>(pub *mut T);
// SAFETY: users guarantee that threads write disjoint elements.
unsafe impl<T> Send for SharedMut<T> {}
unsafe impl<T> Sync for SharedMut<T> {}

impl<T> SharedMut<T> {
    /// The pointer (a method, so closures capture the Sync wrapper rather than the raw field).
    #[inline]
    pub fn get(&self) -> *mut T {
        self.0
    }
}

/// The part [start, end) of `total` items that thread `i` of `n` takes, in multiples of `align`.
pub fn split(total: usize, i: usize, n: usize, align: usize) -> (usize, usize) {
    let units = total.div_ceil(align);
    let per = units / n;
    let extra = units % n;
    let start = (i * per + i.min(extra)) * align;
    let end = ((i + 1) * per + (i + 1).min(extra)) * align;
    (start.min(total), end.min(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn runs_every_thread_once_per_job_many_times() {
        let pool = Pool::new(3);
        let count = AtomicUsize::new(0);
        for _ in 0..2000 {
            pool.run(&|i, n| {
                assert!(i < n);
                count.fetch_add(i + 1, SeqCst);
            });
        }
        assert_eq!(count.load(SeqCst), 2000 * 6);
    }

    #[test]
    fn a_panic_on_the_callers_share_still_waits_for_the_workers() {
        let pool = Pool::new(3);
        let finished = AtomicUsize::new(0);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.run(&|i, _| {
                if i == 0 {
                    panic!("the caller's share fails");
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
                finished.fetch_add(1, SeqCst);
            });
        }));
        assert!(r.is_err());
        // Every worker was done with the closure (and what it borrows) before `run` unwound.
        assert_eq!(finished.load(SeqCst), 2);
        // And the pool still works.
        let count = AtomicUsize::new(0);
        pool.run(&|_, _| {
            count.fetch_add(1, SeqCst);
        });
        assert_eq!(count.load(SeqCst), 3);
    }

    #[test]
    fn split_covers_everything_once() {
        for total in [0, 1, 7, 576, 49152] {
            for n in 1..5 {
                let mut next = 0;
                for i in 0..n {
                    let (a, b) = split(total, i, n, 4);
                    assert_eq!(a, next);
                    next = b;
                }
                assert_eq!(next, total);
            }
        }
    }
}

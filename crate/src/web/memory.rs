//! "Read the whole document" in the page: the CLI's `tome read` ([`crate::model::memory`]) driven one
//! window per call, so the worker can report progress, honour Stop between windows and keep each
//! window's record in IndexedDB as soon as it is read (a reload resumes from the stored windows).
//! Once every window is in, the records are assembled into a cache — [sink | condensed windows] —
//! that every later question's reading starts from ([`super::reading`]).
//!
//! The records are the memory file's own (`HEAD`+`DOCU`, `WIND`…, `DONE`): what the page stores is
//! a `FILE.tome` cut in pieces, checked by the same parser.

use std::cell::RefCell;

use serde::Serialize;

use super::reading::with_model;
use crate::Document;
use crate::model::memory::DEFAULT_WINDOW;
use crate::model::memory::Memory;
use crate::model::memory::assemble::for_reading;
use crate::model::memory::file::{self, MemoryError};
use crate::model::memory::plan::{Plan, Progress, ReadOptions};
use crate::model::memory::read::WindowReader;
use crate::model::memory::sha256::{hex, sha256};
use crate::model::{Llama, ModelError, Session};

/// The longest window the page reads: a window and its repeat fit the model's context twice over.
pub const MAX_WINDOW: usize = 2048;

thread_local! {
    /// SHA-256 of the loaded model's file, computed when a reading first needs it.
    static MODEL_SHA: RefCell<Option<[u8; 32]>> = const { RefCell::new(None) };
    static BOOK: RefCell<Option<Book>> = const { RefCell::new(None) };
    static MEMORY: RefCell<Option<Assembled>> = const { RefCell::new(None) };
}

/// A planned reading and the window reader that goes through it.
struct Book {
    plan: Plan,
    reader: WindowReader,
    /// The next window to read.
    next: usize,
    /// Windows taken from storage instead of read.
    resumed: usize,
}

/// The cache every reading over the memory starts from.
pub(super) struct Assembled {
    pub(super) session: Session,
    /// Positions the sink and the memory fill.
    pub(super) prefix: usize,
    /// Which assembly this is: a reading started on an earlier one cannot go on in this cache.
    pub(super) id: u64,
}

/// What the page shows of a planned reading.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    /// Names this reading (model, document, settings): stored windows under another key are of
    /// another reading and are not resumed.
    pub key: String,
    pub windows: usize,
    pub tokens: usize,
    pub ratio: usize,
    pub window: usize,
    /// Bytes the condensed memory will take.
    pub memory_bytes: usize,
}

/// What a question can read from once the memory is assembled.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryView {
    pub windows: usize,
    pub tokens: usize,
    pub ratio: usize,
    /// Bytes of the condensed keys and values.
    pub memory_bytes: usize,
    /// Cache positions the memory takes (out of the model's trained context).
    pub positions: usize,
}

/// The model's file hash: a memory is valid only for the model that read it.
fn model_sha(model: &Llama) -> [u8; 32] {
    MODEL_SHA.with(|s| *s.borrow_mut().get_or_insert_with(|| sha256(model.file_bytes())))
}

/// Forgets the model hash, the planned reading and the assembled memory (a new model was loaded).
pub(super) fn model_changed() {
    MODEL_SHA.with(|s| s.borrow_mut().take());
    forget();
}

/// Forgets the planned reading and the assembled memory (another document, or "Forget").
pub fn forget() {
    BOOK.with(|b| b.borrow_mut().take());
    MEMORY.with(|m| m.borrow_mut().take());
}

/// Plans reading `doc` (whose file is `doc_bytes`) in windows of `window` tokens (0: the default;
/// at most [`MAX_WINDOW`]), from the first window on ([`resume`] skips those stored before).
pub fn plan(doc: &Document, doc_bytes: &[u8], window: usize) -> crate::Result<PlanView> {
    let window = if window == 0 { DEFAULT_WINDOW } else { window.clamp(16, MAX_WINDOW) };
    with_model(|model| {
        let opts = ReadOptions { window, ..ReadOptions::default() };
        let plan = Plan::new(model, model_sha(model), doc, (&doc.name, doc_bytes), opts)?;
        let reader = WindowReader::new(model, plan.settings)?;
        let view = PlanView {
            key: hex(&sha256(&plan.head)),
            windows: plan.windows.len(),
            tokens: plan.tokens,
            ratio: plan.settings.ratio,
            window: plan.settings.window,
            memory_bytes: crate::model::memory::Shape::of(&model.cfg).bytes(
                plan.tokens,
                window,
                plan.settings.ratio,
            ),
        };
        BOOK.with(|b| *b.borrow_mut() = Some(Book { plan, reader, next: 0, resumed: 0 }));
        Ok(view)
    })?
}

/// The planned reading goes on after its first `stored` windows, which the caller found stored
/// under the plan's key (an earlier, interrupted reading): they are not read again.
pub fn resume(stored: usize) -> crate::Result<Progress> {
    BOOK.with(|b| {
        let mut b = b.borrow_mut();
        let book = b.as_mut().ok_or_else(no_plan)?;
        book.resumed = stored.min(book.plan.windows.len());
        book.next = book.resumed;
        Ok(progress_of(book))
    })
}

fn no_plan() -> crate::Error {
    MemoryError::NoPlan.into()
}

/// Reads the next window of the planned reading; returns its record, to store ([`progress`] then
/// says where the reading stands).
pub fn read_next() -> crate::Result<Vec<u8>> {
    with_model(|model| {
        BOOK.with(|b| {
            let mut b = b.borrow_mut();
            let book = b.as_mut().ok_or_else(no_plan)?;
            let w = book.plan.windows.get(book.next).ok_or(MemoryError::AllRead)?;
            let record = file::window_bytes(&book.reader.read(model, w)?);
            book.next += 1;
            Ok(record)
        })
    })?
}

/// Where the planned reading stands, or None when none is planned.
pub fn progress() -> Option<Progress> {
    BOOK.with(|b| b.borrow().as_ref().map(progress_of))
}

fn progress_of(book: &Book) -> Progress {
    book.plan.progress(book.next, book.resumed)
}

/// The planned reading's memory file (as `tome read` writes it) from every window's record, in order.
fn file_bytes(records: &[u8]) -> crate::Result<Vec<u8>> {
    BOOK.with(|b| {
        let b = b.borrow();
        let book = b.as_ref().ok_or_else(no_plan)?;
        let mut bytes = Vec::with_capacity(book.plan.head.len() + records.len() + 32);
        bytes.extend_from_slice(&book.plan.head);
        bytes.extend_from_slice(records);
        bytes.extend_from_slice(&file::done_bytes(book.plan.windows.len()));
        Ok(bytes)
    })
}

/// Assembles the memory from every window's record, in order (those of the planned reading, as
/// [`read_next`] returned them); questions read from it until [`forget`]. Stored records that are
/// damaged, missing or of another reading are an error that says to read again.
pub fn assemble_memory(doc: &Document, records: &[u8]) -> crate::Result<MemoryView> {
    let name = format!("the stored reading of {}", doc.name);
    let bytes = file_bytes(records)?;
    let memory = file::complete(&name, &bytes)?;
    drop(bytes);
    assemble_read(doc, &memory, &name)
}

/// The memory file of the planned reading (`FILE.tome`, for `tome ask` and `tome search`), checked.
pub fn memory_file(records: &[u8]) -> crate::Result<Vec<u8>> {
    let bytes = file_bytes(records)?;
    file::complete("the stored reading", &bytes)?;
    Ok(bytes)
}

/// Assembles a memory read before (stored, or a `.tome` file opened: `name`) for `doc`, once the
/// loaded model is the one that read it; questions read from it until [`forget`].
pub fn assemble_read(doc: &Document, memory: &Memory, name: &str) -> crate::Result<MemoryView> {
    with_model(|model| {
        file::check_model(name, memory, &model_sha(model))?;
        let (session, prefix) = for_reading(model, memory, doc)?;
        let view = MemoryView {
            windows: memory.windows.len(),
            tokens: memory.tokens(),
            ratio: memory.settings.ratio,
            memory_bytes: memory.kv_bytes(),
            positions: prefix,
        };
        MEMORY.with(|m| {
            let mut m = m.borrow_mut();
            let id = m.as_ref().map_or(0, |a| a.id + 1);
            *m = Some(Assembled { session, prefix, id })
        });
        Ok(view)
    })?
}

/// Whether questions read from an assembled memory.
pub fn assembled() -> bool {
    MEMORY.with(|m| m.borrow().is_some())
}

/// Runs `f` on the assembled memory, or None when there is none.
pub(super) fn with_memory<R>(f: impl FnOnce(&mut Assembled) -> R) -> Option<R> {
    MEMORY.with(|m| m.borrow_mut().as_mut().map(f))
}

/// Runs `f` on the assembled memory if it is still assembly `id` (the one a reading started on);
/// else `MemoryGone`.
pub(super) fn with_assembly<R>(id: u64, f: impl FnOnce(&mut Assembled) -> R) -> Result<R, ModelError> {
    with_memory(|a| (a.id == id).then(|| f(a))).flatten().ok_or(ModelError::MemoryGone)
}

/// What the tests here share: an invented document.
#[cfg(test)]
mod tests_support {
    use super::*;

    /// An invented document of a few windows of 96 tokens.
    pub fn document() -> (Vec<u8>, Document) {
        let mut text = String::from("THE ORCHARD LEDGER\n\n");
        let facts = [
            "The orchard at Hollin Cross grows forty rows of pear trees, planted by Maud Ferrer in the wet spring.",
            "Every autumn the pickers weigh the harvest on a brass scale that hangs from the barn's north beam.",
            "The cider press was bought from a miller in Tarrow for eleven silver crowns and a cart of straw.",
            "Maud's nephew Corin keeps the ledger, writing each day's weight in green ink beside the weather.",
            "In the year of the late frost the ledger shows only nine baskets, and Corin wrote that the bees were slow.",
            "The well behind the drying shed is nineteen feet deep and was dug by the orchard's first owner.",
        ];
        for (i, f) in facts.iter().enumerate() {
            text.push_str(&format!(
                "{f} The pickers remember it as the {} season of the orchard.\n\n",
                i + 1
            ));
        }
        let bytes = text.into_bytes();
        let doc = Document::from_bytes("orchard.txt", &bytes).expect("the text opens");
        (bytes, doc)
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::*;
    use super::*;
    use crate::index::Index;
    use crate::outline::Outline;
    use crate::web::reading;

    fn read_all() -> Vec<u8> {
        let mut records = Vec::new();
        while progress().is_some_and(|p| p.windows_done < p.windows) {
            records.extend(read_next().expect("a window is read"));
        }
        records
    }

    #[test]
    fn a_resumed_reading_equals_an_uninterrupted_one_and_questions_read_after_the_memory() {
        let model = crate::web::test_model_bytes();
        reading::load(model, 1).expect("the model loads");
        assert!(
            matches!(read_next(), Err(crate::Error::Memory(MemoryError::NoPlan))),
            "nothing is planned yet"
        );
        let (bytes, doc) = document();

        let planned = plan(&doc, &bytes, 96).expect("the reading is planned");
        assert!(planned.windows >= 3, "{planned:?}");
        assert_eq!(planned.ratio, 4, "a short document takes the finest ratio");
        let whole = read_all();
        assert!(matches!(read_next(), Err(crate::Error::Memory(MemoryError::AllRead))));

        // Stopped after one window, then (as after a reload) planned again with that window stored.
        let again = plan(&doc, &bytes, 96).expect("planned again");
        assert_eq!(again.key, planned.key, "one model, document and settings: one key");
        let first = read_next().expect("the first window");
        plan(&doc, &bytes, 96).expect("planned after a reload");
        let p = resume(1).expect("resumed");
        assert_eq!((p.windows_done, p.resumed), (1, 1));
        assert!(p.tokens_done > 0 && p.tokens_done < p.tokens, "{p:?}");
        let mut records = first;
        records.extend(read_all());
        assert_eq!(records, whole, "the resumed reading stores the same records");
        let other = plan(&doc, &bytes, 128).expect("other settings");
        assert_ne!(other.key, planned.key, "a window of another size is another reading");

        // Damaged or missing records are refused with words that say to read again.
        plan(&doc, &bytes, 96).expect("planned");
        let mut damaged = whole.clone();
        let mid = damaged.len() / 2;
        damaged[mid] ^= 0x40;
        let e = assemble_memory(&doc, &damaged).expect_err("a flipped byte").to_string();
        assert!(e.contains("damaged") && e.contains("read the document again"), "{e}");
        let last = whole.len() - 8;
        let e = assemble_memory(&doc, &whole[..last]).expect_err("a cut record").to_string();
        assert!(e.contains("damaged"), "{e}");
        assert!(!assembled());

        let view = assemble_memory(&doc, &whole).expect("the memory assembles");
        assert!(assembled());
        assert_eq!((view.windows, view.ratio), (planned.windows, 4));
        assert!(view.tokens == planned.tokens && view.memory_bytes > 0, "{view:?}");
        let n_ctx = reading::with_model(|m| m.cfg.n_ctx_train).expect("loaded");
        assert!(view.positions < n_ctx - crate::model::memory::assemble::READ_ROOM);

        // A question reads its passages after the memory, on the CPU, twice (the cache is cut back).
        let index = Index::build(&doc, &Outline::build(&doc, false));
        for question in ["How deep is the well behind the drying shed?", "Who keeps the ledger?"] {
            let started = reading::start(&doc, &index, question).expect("reading starts");
            assert!(started.memory, "the reading starts from the memory");
            let first = reading::step().expect("a step");
            assert!(first.prefilled > 0 && first.prefilled <= reading::PREFILL_CHUNK, "{first:?}");
            let len = with_memory(|a| (a.session.len(), a.prefix)).expect("assembled");
            assert_eq!(len.0, len.1 + first.prefilled, "the prompt is read right after the memory");
            let mut text = String::new();
            loop {
                let s = reading::step().expect("a step");
                text.push_str(&s.piece);
                if s.done || s.generated >= 4 {
                    break;
                }
            }
            assert!(!text.trim().is_empty(), "the model writes after the memory");
        }
        // A reading does not go on in the cache of another assembly, nor after Forget.
        reading::start(&doc, &index, "Who keeps the ledger?").expect("reading starts");
        reading::step().expect("a step");
        assemble_memory(&doc, &whole).expect("assembled again");
        assert!(matches!(reading::step().map(|_| ()), Err(crate::model::ModelError::MemoryGone)));
        reading::start(&doc, &index, "Who keeps the ledger?").expect("reading starts");
        forget();
        assert!(!assembled());
        assert!(matches!(reading::step().map(|_| ()), Err(crate::model::ModelError::MemoryGone)));

        // Saved as a file, the page's reading is `tome read`'s byte for byte, and opening that file
        // opens its document with the memory ready to assemble.
        plan(&doc, &bytes, 96).expect("planned");
        let saved = memory_file(&whole).expect("the reading as a file");
        let dir = std::env::temp_dir().join(format!("tome-web-memory-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let out = dir.join("orchard.txt.tome");
        let sha = reading::with_model(model_sha).expect("loaded");
        let opts = ReadOptions { window: 96, ..ReadOptions::default() };
        let cli = reading::with_model(|m| {
            crate::model::memory::book::read_document(
                m,
                sha,
                ("orchard.txt", &bytes),
                &out,
                opts,
                &mut |_| true,
            )
        });
        assert!(cli.expect("loaded").expect("tome read runs"));
        assert_eq!(std::fs::read(&out).expect("the file"), saved, "the page's file is tome read's");
        std::fs::remove_dir_all(&dir).ok();
        let opened = crate::web::Tome::open(&saved, "orchard.txt.tome").expect("a memory file opens");
        assert_eq!(opened.carried().as_deref(), Some("orchard.txt.tome"));
        assert_eq!(opened.info().name, "orchard.txt");
        assert_eq!(opened.carried_doc_bytes().as_deref(), Some(&bytes[..]));
        let view = opened.memory_assemble_carried().expect("its memory assembles");
        assert_eq!(view.windows, planned.windows);
        assert_eq!(opened.memory_file(&[]).expect("the same file again"), saved);
        // Another model's file: refused in words; its document can be read again here (same plan).
        let mut other = crate::model::memory::file::complete("saved", &saved).expect("complete");
        other.model_sha256 = [7; 32];
        let other = crate::model::memory::file::to_bytes(&other);
        let opened = crate::web::Tome::open(&other, "other.tome").expect("opens");
        let e = opened.memory_assemble_carried().expect_err("another model's").to_string();
        assert!(e.contains("another model") && e.contains("other.tome"), "{e}");
        assert_eq!(opened.memory_plan(&other, 96).expect("planned").key, planned.key);
        let mut cut = saved.clone();
        cut.truncate(saved.len() - 30);
        let e = crate::web::Tome::open(&cut, "orchard.txt.tome").err().expect("a cut file").to_string();
        assert!(e.contains("orchard.txt.tome") && e.contains("damaged"), "{e}");
    }
}

/// The memory read on the GPU (lavapipe natively, the same code as WebGPU in the browser): the
/// assembled cache is copied into the GPU model's, a question's answer there equals the CPU's, a
/// second question reuses the copy, and a reading moved to the CPU mid-answer goes on from there.
#[cfg(all(test, not(target_family = "wasm")))]
mod on_gpu {
    use super::tests_support::*;
    use super::*;
    use crate::index::Index;
    use crate::outline::Outline;
    use crate::web::{gpu, reading};

    /// The first `tokens` of the answer.
    fn answer(question: &str, index: &Index, doc: &Document, on_gpu: bool, tokens: usize) -> String {
        let started = reading::start(doc, index, question).expect("reading starts");
        assert!(started.memory);
        let mut text = String::new();
        loop {
            let s = if on_gpu {
                crate::gpu::block_on(gpu::read_step()).expect("a GPU step")
            } else {
                reading::step().expect("a CPU step")
            };
            text.push_str(&s.piece);
            if s.done || s.generated >= tokens {
                return text;
            }
        }
    }

    #[test]
    fn a_reading_over_the_memory_runs_on_the_gpu_as_on_the_cpu() {
        let model = crate::web::test_model_bytes();
        reading::load(model, 1).expect("the model loads");
        let (bytes, doc) = document();
        plan(&doc, &bytes, 96).expect("planned");
        let mut records = Vec::new();
        while progress().is_some_and(|p| p.windows_done < p.windows) {
            records.extend(read_next().expect("a window"));
        }
        let view = assemble_memory(&doc, &records).expect("assembled");
        let index = Index::build(&doc, &Outline::build(&doc, false));
        let q = "Who keeps the ledger?";
        let cpu = answer(q, &index, &doc, false, 4);
        let held = with_memory(|a| a.session.len()).expect("assembled");
        assert!(held > view.positions + 4, "the CPU cache holds the memory, the prompt and the answer");

        crate::gpu::block_on(gpu::load_model(view.positions + 1024))
            .expect("the model on the GPU (lavapipe)");
        assert_eq!(answer(q, &index, &doc, true, 4), cpu, "the GPU reads the memory's cache as the CPU does");
        assert_eq!(gpu::cache_len(), Some(held), "the GPU's cache holds the memory, then the reading");
        assert_eq!(answer(q, &index, &doc, true, 4), cpu, "a second reading reuses the memory on the GPU");
        assert_eq!(gpu::cache_len(), Some(held));

        // Two tokens on the GPU, then the GPU goes away: the CPU's memory cache reads on.
        reading::start(&doc, &index, q).expect("reading starts");
        let mut text = String::new();
        let mut generated = 0;
        while generated < 2 {
            let s = crate::gpu::block_on(gpu::read_step()).expect("a GPU step");
            text.push_str(&s.piece);
            generated = s.generated;
        }
        gpu::unload_model();
        while generated < 4 {
            let s = reading::step().expect("a CPU step");
            text.push_str(&s.piece);
            generated = s.generated;
            if s.done {
                break;
            }
        }
        assert_eq!(text, cpu, "the answer goes on on the CPU where the GPU left it");
    }
}

//! The model in the browser: GGUF bytes in (fetched by the worker), then a reading of the passages a
//! question retrieves, produced one step at a time so the worker can stream each token to the page
//! and stop between steps without losing the loaded model.
//!
//! One model and one reading per wasm instance (the worker is single-threaded), kept in
//! thread-locals so the document (`Tome`) can be replaced without reloading 98 MB of weights.

use std::cell::{Cell, RefCell};

use serde::Serialize;

use crate::doc::Document;
use crate::index::Index;
use crate::model::generate::Generator;
use crate::model::llama::Bytes;
use crate::model::{Llama, ModelError, Sampler, Session, SharedPrefix, Tokenizer};
use crate::qa::read::{self, Style};

/// Passages given to the model, best first, numbered [1]..[k].
pub const READ_K: usize = 3;
/// How the page's model answers ([`read::Style`]); its prompt opening is read once per model.
const STYLE: Style = Style::Sentences;
/// Prompt tokens fed per step, so Stop is honoured during prefill too. Each step costs a message
/// round trip and ~270 pool jobs whatever its size; measured (bench page `&chunk=`, 384-token reading
/// prompts, loaded 2-core machine, 2 threads): first answer token 4.2 s with 64, 4.0–4.5 s with 128,
/// slower with 32; 64 keeps a step under ~1 s on one loaded thread, so Stop stays prompt.
pub const PREFILL_CHUNK: usize = 64;
pub const MAX_NEW_TOKENS: usize = 160;

thread_local! {
    static MODEL: RefCell<Option<Llama>> = const { RefCell::new(None) };
    static READING: RefCell<Option<Reading>> = const { RefCell::new(None) };
    /// The reader prompt's opening (chat template, instructions) read by the loaded model: every
    /// reading on the CPU starts from a copy of its KV.
    static OPENING: RefCell<Option<SharedPrefix>> = const { RefCell::new(None) };
    /// Prompt tokens per step of the next readings ([`set_prefill_chunk`]).
    static CHUNK: Cell<usize> = const { Cell::new(PREFILL_CHUNK) };
}

/// Sets how many prompt tokens later readings feed per step (at least 1); returns the previous
/// count. For measuring what a step's size costs (bench page, `&chunk=`).
pub fn set_prefill_chunk(n: usize) -> usize {
    CHUNK.with(|c| c.replace(n.max(1)))
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    pub layers: usize,
    pub vocab: usize,
    pub threads: usize,
}

/// A passage as the model saw it, with where it is in the text (code point offsets).
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub n: usize,
    pub page: u32,
    /// Section titles, top-level first.
    pub path: Vec<String>,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadingStart {
    pub prompt_tokens: usize,
    pub sources: Vec<SourceView>,
    /// Whether the reading starts from the document's assembled memory.
    pub memory: bool,
}

/// What one step did: `piece` is new text (decode steps), `prefilled` counts prompt tokens read.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub piece: String,
    pub prefilled: usize,
    pub prompt_tokens: usize,
    pub generated: usize,
    pub done: bool,
    /// Why it stopped, once done: "stop_token", "max_tokens", "context_full".
    pub stop: Option<&'static str>,
}

pub(super) struct Reading {
    /// Where the model's context for this reading lives; a switch of backend replays it.
    on: On,
    /// The generation loop, driven one step per call.
    generator: Generator,
}

/// The backend holding a reading's context.
pub(super) enum On {
    Nowhere,
    Cpu(Box<Session>),
    Gpu,
    /// After the document's memory, in the cache of its assembly `id` ([`super::memory`]).
    Memory(u64),
    /// After the document's memory of assembly `id`, copied into the GPU model's cache.
    GpuMemory(u64),
}

/// Parses the model file; replaces any model loaded before (dropped first: its pool gives the
/// threaded build's helper threads back for the new one). `threads`: the most the CPU path may use;
/// ModelInfo says how many it got (1 in the single-thread build, up to 1 + the helpers the page started).
/// Also reads the reader prompt's opening once, so no question pays for it.
pub fn load(bytes: Vec<u8>, threads: usize) -> Result<ModelInfo, ModelError> {
    READING.with(|r| r.borrow_mut().take());
    OPENING.with(|o| o.borrow_mut().take());
    super::memory::model_changed();
    MODEL.with(|m| m.borrow_mut().take());
    let model = Llama::from_bytes(Bytes::Owned(bytes), threads)?;
    let info = ModelInfo { layers: model.cfg.n_layer, vocab: model.cfg.vocab, threads: model.threads() };
    let opening = SharedPrefix::new(&model, model.tokenizer.encode(&read::opening(STYLE))?)?;
    OPENING.with(|o| *o.borrow_mut() = Some(opening));
    MODEL.with(|m| *m.borrow_mut() = Some(model));
    Ok(info)
}

/// How many tokens of `prompt` a CPU reading takes from the shared opening instead of prefilling.
pub fn opening_tokens(prompt: &[u32]) -> usize {
    OPENING.with(|o| o.borrow().as_ref().map_or(0, |p| p.reusable(prompt)))
}

/// Runs `f` with the loaded model (the GPU upload and the tokenizer use it).
pub fn with_model<R>(f: impl FnOnce(&Llama) -> R) -> Result<R, ModelError> {
    MODEL.with(|m| m.borrow().as_ref().map(f).ok_or(ModelError::NotLoaded))
}

pub fn loaded() -> bool {
    MODEL.with(|m| m.borrow().is_some())
}

/// Switches the loaded model's CPU kernel set by name ([`crate::cpu::Isa::name`]); returns the
/// previous one's name; an error in words for an unknown set or no model.
pub fn set_kernels(name: &str) -> Result<&'static str, String> {
    let isa = crate::cpu::Isa::by_name(name).ok_or_else(|| {
        let names: Vec<_> = crate::cpu::Isa::available().iter().map(|i| i.name()).collect();
        format!("no CPU kernel set {name:?} in this build; it has {}", names.join(", "))
    })?;
    MODEL.with(|m| {
        let mut m = m.borrow_mut();
        let model = m.as_mut().ok_or_else(|| ModelError::NotLoaded.to_string())?;
        Ok(std::mem::replace(&mut model.isa, isa).name())
    })
}

/// Greedy continuation ids of raw text (no chat template): the check against llama.cpp.
pub fn greedy(prompt: &str, n: usize) -> Result<Vec<u32>, ModelError> {
    MODEL.with(|m| {
        let m = m.borrow();
        let model = m.as_ref().ok_or(ModelError::NotLoaded)?;
        let ids = model.tokenizer.encode(prompt)?;
        let mut session = model.session(ids.len() + n + 1);
        let mut logits = model.forward(&mut session, &ids)?.to_vec();
        let mut sampler = Sampler::greedy();
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let next = sampler.sample(&logits, &out);
            out.push(next);
            if out.len() < n {
                logits.copy_from_slice(model.forward(&mut session, &[next])?);
            }
        }
        Ok(out)
    })
}

thread_local! {
    static BENCH: RefCell<Option<(Session, u32)>> = const { RefCell::new(None) };
}

/// Benchmark, part 1: prefills an `n`-token prompt in a fresh session with room for `room` more
/// tokens (the page times this call). Returns the prompt length.
pub fn bench_prefill(n: usize, room: usize) -> Result<usize, ModelError> {
    MODEL.with(|m| {
        let m = m.borrow();
        let model = m.as_ref().ok_or(ModelError::NotLoaded)?;
        let ids = bench_ids(model, n)?;
        let mut session = model.session(ids.len() + room + 1);
        let logits = model.forward(&mut session, &ids)?;
        let next = Sampler::greedy().sample(logits, &[]);
        BENCH.with(|b| *b.borrow_mut() = Some((session, next)));
        Ok(ids.len())
    })
}

/// The benchmark's prompt: real text repeated to `n` tokens (the kernels' cost does not depend on
/// which ids they see). The bench page gives the same ids to other engines (wllama).
pub fn bench_prompt_ids(n: usize) -> Result<Vec<u32>, ModelError> {
    MODEL.with(|m| {
        let m = m.borrow();
        bench_ids(m.as_ref().ok_or(ModelError::NotLoaded)?, n)
    })
}

/// The benchmark's prompt as text (its ids decoded), for engines that take text (wllama's completion).
pub fn bench_prompt_text(n: usize) -> Result<String, ModelError> {
    MODEL.with(|m| {
        let m = m.borrow();
        let model = m.as_ref().ok_or(ModelError::NotLoaded)?;
        model.tokenizer.decode(&bench_ids(model, n)?)
    })
}

fn bench_ids(model: &Llama, n: usize) -> Result<Vec<u32>, ModelError> {
    // Whole sentences repeated, then tokenized once: the ids decode to text that another tokenizer
    // of the same vocabulary splits into the same `n` tokens (cycling the ids of one sentence would
    // not: ". " + "The" merges differently from ". The").
    const SENTENCE: &str =
        "The quick brown fox jumps over the lazy dog while the library keeps its long documents in order. ";
    let n = n.max(1);
    let per = model.tokenizer.encode(SENTENCE)?.len().max(1);
    let mut ids = model.tokenizer.encode(&SENTENCE.repeat(n / per + 2))?;
    ids.truncate(n);
    Ok(ids)
}

/// Benchmark, part 2: decodes up to `n` tokens greedily after part 1's prompt, one forward each.
/// Returns how many were decoded.
pub fn bench_decode(n: usize) -> Result<usize, ModelError> {
    MODEL.with(|m| {
        let m = m.borrow();
        let model = m.as_ref().ok_or(ModelError::NotLoaded)?;
        BENCH.with(|b| {
            let mut b = b.borrow_mut();
            let (session, next) = b.as_mut().ok_or(ModelError::NoPrefill)?;
            let n = n.min(session.n_ctx() - session.len());
            let mut sampler = Sampler::greedy();
            for _ in 0..n {
                let logits = model.forward(session, &[*next])?;
                *next = sampler.sample(logits, &[]);
            }
            Ok(n)
        })
    })
}

/// The reader prompt ([`qa::read`]): numbered passages with their sections, then the question.
pub fn prompt(doc: &Document, index: &Index, question: &str, tok: &Tokenizer) -> (String, Vec<SourceView>) {
    let found = crate::qa::retrieve::run(doc, index, question, READ_K);
    let p = read::for_question(doc, index, question, (&found, READ_K), STYLE, tok);
    let sources = p
        .sources
        .iter()
        .map(|s| SourceView {
            n: s.n,
            page: s.page,
            path: s.path.clone(),
            start: doc.char_offset(s.shown.start),
            end: doc.char_offset(s.shown.end),
        })
        .collect();
    (p.text, sources)
}

/// Starts reading: tokenizes the prompt; the work happens in [`step`]. With the document's memory
/// assembled ([`super::memory`]) the prompt is read after it.
pub fn start(doc: &Document, index: &Index, question: &str) -> Result<ReadingStart, ModelError> {
    MODEL.with(|m| {
        let m = m.borrow();
        let model = m.as_ref().ok_or(ModelError::NotLoaded)?;
        let (text, sources) = prompt(doc, index, question, &model.tokenizer);
        let ids = model.tokenizer.encode(&text)?;
        let prompt_tokens = ids.len();
        let mut n_ctx = ids.len() + MAX_NEW_TOKENS + 1;
        // Cut back to the memory: a new reading after it.
        let memory = super::memory::with_memory(|a| {
            a.session.kv.truncate(a.prefix);
            (a.session.n_ctx() - a.prefix, a.id)
        });
        if let Some((room, _)) = memory {
            if ids.len() + 1 > room {
                return Err(ModelError::ContextFull(room));
            }
            n_ctx = n_ctx.min(room);
        }
        let generator = Generator::new(
            &model.tokenizer,
            ids,
            Sampler::greedy(),
            MAX_NEW_TOKENS,
            n_ctx,
            CHUNK.with(Cell::get),
        );
        let on = memory.map_or(On::Nowhere, |(_, id)| On::Memory(id));
        READING.with(|r| *r.borrow_mut() = Some(Reading { on, generator }));
        Ok(ReadingStart { prompt_tokens, sources, memory: memory.is_some() })
    })
}

/// One step of the current reading on the CPU: a chunk of the prompt, or one new token. A reading
/// starts from a copy of the shared opening's KV (or from the document's memory); one that ran on
/// the GPU before continues here (its tokens after the opening are fed again first).
pub fn step() -> Result<StepView, ModelError> {
    MODEL.with(|m| {
        let m = m.borrow();
        let model = m.as_ref().ok_or(ModelError::NotLoaded)?;
        READING.with(|r| {
            let mut r = r.borrow_mut();
            let rd = r.as_mut().ok_or(ModelError::NoReading)?;
            match rd.on {
                On::Nowhere | On::Gpu => {
                    let (session, held) = OPENING.with(|o| match o.borrow().as_ref() {
                        Some(p) => p.session(model, rd.generator.prompt(), rd.generator.n_ctx()),
                        None => (model.session(rd.generator.n_ctx()), 0),
                    });
                    rd.on = On::Cpu(Box::new(session));
                    rd.generator.restart();
                    rd.generator.held(held);
                }
                // Back from the GPU: the memory's CPU cache reads the prompt and the answer so far again.
                On::GpuMemory(id) => {
                    super::memory::with_memory(|a| a.session.kv.truncate(a.prefix));
                    rd.on = On::Memory(id);
                    rd.generator.restart();
                }
                On::Cpu(_) | On::Memory(_) => {}
            }
            let feed = rd.generator.next(&model.tokenizer)?;
            if !feed.is_empty() {
                let generator = &mut rd.generator;
                match &mut rd.on {
                    On::Cpu(session) => {
                        let logits = model.forward(session, &feed)?;
                        generator.fed(feed.len(), logits);
                    }
                    On::Memory(id) => super::memory::with_assembly(*id, |a| {
                        let logits = model.forward(&mut a.session, &feed)?;
                        generator.fed(feed.len(), logits);
                        Ok::<_, ModelError>(())
                    })??,
                    On::Nowhere | On::Gpu | On::GpuMemory(_) => return Err(ModelError::NoReading),
                }
            }
            Ok(view(rd))
        })
    })
}

/// Takes the current reading out of its slot (the GPU step awaits with it); see [`put_back`].
pub(super) fn take() -> Result<Reading, ModelError> {
    READING.with(|r| r.borrow_mut().take()).ok_or(ModelError::NoReading)
}

/// Puts a reading back unless another one started meanwhile.
pub(super) fn put_back(rd: Reading) {
    READING.with(|r| {
        let mut r = r.borrow_mut();
        if r.is_none() {
            *r = Some(rd);
        }
    })
}

impl Reading {
    /// Marks the reading as held on the GPU; returns true when its context there must be rebuilt
    /// (the caller clears the GPU model's cache and the tokens so far are fed again).
    /// A reading over the memory moves with it (the caller puts the memory in the GPU's cache).
    pub(super) fn move_to_gpu(&mut self) -> bool {
        self.on = match self.on {
            On::Gpu | On::GpuMemory(_) => return false,
            On::Memory(id) => On::GpuMemory(id),
            On::Nowhere | On::Cpu(_) => On::Gpu,
        };
        self.generator.restart();
        true
    }

    /// The assembly of the document's memory the reading reads after, if it does.
    pub(super) fn memory(&self) -> Option<u64> {
        match self.on {
            On::Memory(id) | On::GpuMemory(id) => Some(id),
            _ => None,
        }
    }

    pub(super) fn generator(&mut self) -> &mut Generator {
        &mut self.generator
    }
}

/// What the page sees of a step; hands out the text generated since the last one.
pub(super) fn view(rd: &mut Reading) -> StepView {
    let g = &mut rd.generator;
    StepView {
        piece: g.take_text(),
        prefilled: g.prefilled(),
        prompt_tokens: g.prompt_len(),
        generated: g.ids().len(),
        done: g.stop().is_some(),
        stop: g.stop().map(|s| s.as_str()),
    }
}

/// Drops the current reading (Stop).
pub fn cancel() {
    READING.with(|r| r.borrow_mut().take());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outline::Outline;

    fn root(rel: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
    }

    /// Each test runs on its own thread, whose model slot starts empty: asking out of order is a
    /// state error that says what to do, not a complaint about a model file.
    #[test]
    fn asking_out_of_order_names_the_missing_step() {
        assert!(matches!(step(), Err(ModelError::NotLoaded)));
        assert!(matches!(bench_decode(4), Err(ModelError::NotLoaded)));
        assert!(matches!(take(), Err(ModelError::NoReading)));
        let msg = ModelError::NotLoaded.to_string();
        assert!(msg.contains("no model is loaded") && msg.contains("load one first"), "{msg}");
        assert!(!msg.contains("model file"), "{msg}");
    }

    #[test]
    fn reading_streams_an_answer_from_numbered_passages_after_greedy_matches_llama_cpp() {
        let bytes = crate::web::test_model_bytes();
        let info = load(bytes, 1).expect("the model loads");
        assert_eq!(info.threads, 1);

        let golden: serde_json::Value = serde_json::from_slice(
            &std::fs::read(root("../shared/golden/smollm2-135m-q4_1.tokenize-greedy.llama-cpp.json"))
                .expect("golden file"),
        )
        .expect("golden json");
        let want: Vec<u32> = golden["greedy"]["steps"].as_array().expect("steps")[..8]
            .iter()
            .map(|s| s["id"].as_u64().expect("id") as u32)
            .collect();
        let prompt_text = golden["greedy"]["prompt"].as_str().expect("prompt");
        assert_eq!(greedy(prompt_text, want.len()).expect("greedy runs"), want);

        let text = std::fs::read(root("../shared/eval/docs/novels/persuasion.txt")).expect("eval doc");
        let doc = Document::from_bytes("persuasion.txt", &text).expect("the novel opens");
        let outline = Outline::build(&doc, false);
        let index = Index::build(&doc, &outline);
        let question = "Who is the heir of Kellynch Hall?";
        let (prompt_text, sources) =
            with_model(|m| prompt(&doc, &index, question, &m.tokenizer)).expect("the model is loaded");
        assert!(!sources.is_empty() && sources.len() <= READ_K);
        assert!(prompt_text.contains("[1] ") && prompt_text.contains(question));
        let started = start(&doc, &index, question).expect("reading starts");
        assert!(started.prompt_tokens < 1000, "prompt of {} tokens", started.prompt_tokens);
        let mut out = String::new();
        let mut steps = 0;
        loop {
            let s = step().expect("a step runs");
            out.push_str(&s.piece);
            steps += 1;
            if s.done || s.generated >= 12 {
                break;
            }
            assert!(steps < 200, "the reading progresses");
        }
        assert!(out.split_whitespace().count() >= 3, "the model wrote something: {out:?}");
        cancel();
        assert!(step().is_err(), "after Stop there is no reading to continue");
    }
}

/// A reading that starts on the GPU (lavapipe natively, the same code as WebGPU in the browser) and
/// moves to the CPU mid-answer, as after a device loss: the CPU replays the prompt and the answer
/// so far, and the answer goes on from where it was.
#[cfg(all(test, not(target_family = "wasm")))]
mod backend_switch {
    use super::*;
    use crate::outline::Outline;

    const QUESTION: &str = "Who is the heir of Kellynch Hall?";

    #[test]
    fn a_reading_moves_from_the_gpu_to_the_cpu_and_goes_on() {
        load(crate::web::test_model_bytes(), 1).expect("the model loads");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/eval/docs/novels/persuasion.txt");
        let doc =
            Document::from_bytes("persuasion.txt", &std::fs::read(root).expect("eval doc")).expect("opens");
        let index = Index::build(&doc, &Outline::build(&doc, false));
        crate::gpu::block_on(crate::web::gpu::load_model(1024)).expect("the model on the GPU (lavapipe)");
        start(&doc, &index, QUESTION).expect("reading starts");
        let (mut text, mut last) = (String::new(), None);
        while last.as_ref().is_none_or(|s: &StepView| s.generated < 4 && !s.done) {
            let s = crate::gpu::block_on(crate::web::gpu::read_step()).expect("a GPU step");
            text.push_str(&s.piece);
            last = Some(s);
        }
        let on_gpu = last.as_ref().map_or(0, |s| s.generated);
        crate::web::gpu::unload_model();
        let first = step().expect("a CPU step");
        let ids = with_model(|m| m.tokenizer.encode(&prompt(&doc, &index, QUESTION, &m.tokenizer).0))
            .expect("the model is loaded")
            .expect("the prompt tokenizes");
        assert!(opening_tokens(&ids) > 20, "the template and instructions are shared");
        assert_eq!(
            first.prefilled,
            opening_tokens(&ids) + PREFILL_CHUNK,
            "the CPU reads the prompt again after the shared opening"
        );
        assert_eq!(first.generated, on_gpu, "the answer so far is kept");
        loop {
            let s = step().expect("a CPU step");
            text.push_str(&s.piece);
            if s.done || s.generated >= on_gpu + 4 {
                assert!(s.generated > on_gpu, "the CPU writes on: {text:?}");
                break;
            }
        }
        cancel();
        assert!(text.split_whitespace().count() >= 3, "an answer across both backends: {text:?}");
    }
}

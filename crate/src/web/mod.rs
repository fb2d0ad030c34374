//! The wasm-bindgen boundary: one exported type, [`Tome`], that the web worker drives.
//!
//! In: a file's bytes and name, then plain strings (queries, questions) and code point offsets.
//! Out: plain data (serde structs turned into JS objects by serde-wasm-bindgen) whose spans are
//! Unicode code point offsets into `Document::text`, as everywhere outside the library; errors
//! become `JsError` with the library's message, which says what went wrong and what to do.
//!
//! Opening is split in steps (`open` reads, `outline` structures, `index` builds the search
//! index) so the worker can report progress between them and show the outline before indexing.
//! The same methods run natively (`cargo test`), only the `js_*` wrappers are wasm-only.

use serde::Serialize;

use crate::doc::{DocKind, Document};
use crate::error::Result;
use crate::index::Index;
use crate::outline::scope::scope;
use crate::outline::{Outline, OutlineNode, OutlineSource};
use crate::qa;
use crate::span::Span;

#[cfg(target_family = "wasm")]
use wasm_bindgen::prelude::*;

pub mod gpu;
pub mod memory;
pub mod reading;

/// One open document with its outline and (once built) its index.
#[cfg_attr(target_family = "wasm", wasm_bindgen)]
pub struct Tome {
    doc: Document,
    outline: Option<Outline>,
    index: Option<Index>,
    /// The memory of a `.tome` file opened (`tome read`'s, or the page's saved reading): the
    /// document it carries is `doc`.
    carried: Option<Carried>,
}

/// A memory file opened: its name and its memory.
struct Carried {
    name: String,
    memory: Box<crate::model::memory::Memory>,
}

/// What the page shows about a document before anything else.
#[derive(Debug, Clone, Serialize)]
pub struct DocInfo {
    pub name: String,
    pub kind: DocKind,
    pub pages: usize,
    /// Length of the text in code points.
    pub chars: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct NodeView {
    pub title: String,
    pub level: u32,
    pub page: u32,
    /// Code point offsets of the section in the text.
    pub start: usize,
    pub end: usize,
    /// The section's scope line (see `outline::scope`), shown under the title.
    pub scope: String,
    pub children: Vec<NodeView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutlineView {
    pub source: OutlineSource,
    pub nodes: Vec<NodeView>,
    /// All nodes, at every depth.
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct HitView {
    pub page: u32,
    pub path: Vec<String>,
    /// The passage: code point offsets and its text.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Query term matches as code point offsets relative to `start`.
    pub matches: Vec<[usize; 2]>,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct CitationView {
    pub page: u32,
    pub path: Vec<String>,
    pub start: usize,
    pub end: usize,
    /// The cited text itself.
    pub text: String,
    /// Boxes of the cited lines on their pages, `[page, x0, y0, x1, y1]` in PDF points from the
    /// page's top-left; empty for text documents.
    pub boxes: Vec<[f32; 5]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnswerView {
    pub text: String,
    pub found: bool,
    pub citations: Vec<CitationView>,
    /// Other sections that may answer (`qa::see_also`), each by its sentence nearest the question.
    pub see_also: Vec<CitationView>,
}

impl Tome {
    /// Reads a document; fails with the library's error (damaged, encrypted, scanned, ...).
    /// A memory file (`FILE.tome`) opens the document it carries, its memory kept for the model.
    pub fn open(bytes: &[u8], name: &str) -> Result<Tome> {
        if crate::model::memory::file::is_memory(bytes) {
            let memory = crate::model::memory::file::complete(name, bytes)?;
            let doc = Document::from_bytes(&memory.doc_name, &memory.doc_bytes)?;
            let carried = Some(Carried { name: name.to_string(), memory: Box::new(memory) });
            return Ok(Tome { doc, outline: None, index: None, carried });
        }
        let doc = Document::from_bytes(name, bytes)?;
        Ok(Tome { doc, outline: None, index: None, carried: None })
    }

    pub fn info(&self) -> DocInfo {
        DocInfo {
            name: self.doc.name.clone(),
            kind: self.doc.kind,
            pages: self.doc.pages.len(),
            chars: self.doc.char_offset(self.doc.text.len()),
        }
    }

    /// Builds the outline (once) and returns it.
    pub fn outline(&mut self) -> OutlineView {
        let outline = self.outline.get_or_insert_with(|| Outline::build(&self.doc, false));
        let nodes: Vec<NodeView> = outline.nodes.iter().map(|n| node_view(&self.doc, n)).collect();
        OutlineView { source: outline.source, count: count(&nodes), nodes }
    }

    /// Builds the search index (once); returns the number of passages.
    pub fn index(&mut self) -> usize {
        self.ensure_index().passages.len()
    }

    fn ensure_index(&mut self) -> &Index {
        let doc = &self.doc;
        let outline = self.outline.get_or_insert_with(|| Outline::build(doc, false));
        self.index.get_or_insert_with(|| Index::build(doc, outline))
    }

    /// The best `k` passages for a query.
    pub fn search(&mut self, query: &str, k: usize) -> Vec<HitView> {
        self.ensure_index();
        let (Some(index), doc) = (&self.index, &self.doc) else { return Vec::new() };
        index
            .search(doc, query, k)
            .into_iter()
            .filter_map(|hit| {
                let p = index.passages.get(hit.passage)?;
                let start = doc.char_offset(p.span.start);
                let matches = hit
                    .matches
                    .iter()
                    .map(|m| [doc.char_offset(m.start) - start, doc.char_offset(m.end) - start])
                    .collect();
                Some(HitView {
                    page: p.page,
                    path: p.path.clone(),
                    start,
                    end: doc.char_offset(p.span.end),
                    text: doc.slice(p.span).to_string(),
                    matches,
                    score: hit.score,
                })
            })
            .collect()
    }

    /// An extractive answer whose citations point into the text.
    pub fn ask(&mut self, question: &str) -> AnswerView {
        self.ensure_index();
        let (Some(index), doc) = (&self.index, &self.doc) else {
            return AnswerView {
                text: qa::NOT_FOUND.into(),
                found: false,
                citations: Vec::new(),
                see_also: Vec::new(),
            };
        };
        let answer = qa::answer(doc, index, question);
        let view = |page: u32, path: &[String], span: Span| CitationView {
            page,
            path: path.to_vec(),
            start: doc.char_offset(span.start),
            end: doc.char_offset(span.end),
            text: doc.slice(span).to_string(),
            boxes: boxes(doc, span),
        };
        let citations = answer.citations.iter().map(|c| view(c.page, &c.outline_path, c.span)).collect();
        let see_also = answer.see_also.iter().map(|r| view(r.page, &r.outline_path, r.span)).collect();
        AnswerView { text: answer.text, found: answer.found, citations, see_also }
    }

    /// Starts the model's reading of the passages `question` retrieves (see [`reading`]).
    pub fn read_start(
        &mut self,
        question: &str,
    ) -> std::result::Result<reading::ReadingStart, crate::model::ModelError> {
        self.ensure_index();
        let (Some(index), doc) = (&self.index, &self.doc) else {
            return Err(crate::model::ModelError::NotIndexed);
        };
        reading::start(doc, index, question)
    }

    /// Plans reading the whole document with the loaded model (see [`memory`]); `doc_bytes` are the
    /// file it was opened from (the memory carries it; a `.tome` file's document is its own).
    pub fn memory_plan(&self, doc_bytes: &[u8], window: usize) -> Result<memory::PlanView> {
        let doc_bytes = self.carried.as_ref().map_or(doc_bytes, |c| &c.memory.doc_bytes[..]);
        memory::plan(&self.doc, doc_bytes, window)
    }

    /// Assembles the memory from the stored records of every window, in order.
    pub fn memory_assemble(&self, records: &[u8]) -> Result<memory::MemoryView> {
        memory::assemble_memory(&self.doc, records)
    }

    /// The name of the memory file this document was opened from, if it was.
    pub fn carried(&self) -> Option<String> {
        self.carried.as_ref().map(|c| c.name.clone())
    }

    /// The document's own file when it came inside a memory file (the page draws its pages).
    pub fn carried_doc_bytes(&self) -> Option<Vec<u8>> {
        self.carried.as_ref().map(|c| c.memory.doc_bytes.clone())
    }

    /// Assembles the memory of the `.tome` file this document was opened from.
    pub fn memory_assemble_carried(&self) -> Result<memory::MemoryView> {
        let c = self.carried.as_ref().ok_or(crate::model::memory::file::MemoryError::NoPlan)?;
        memory::assemble_read(&self.doc, &c.memory, &c.name)
    }

    /// The whole reading as a memory file (`FILE.tome`, for `tome ask` / `tome search`): the file
    /// this document came in, or the planned reading's head, `records` (every window's, in order)
    /// and its end.
    pub fn memory_file(&self, records: &[u8]) -> Result<Vec<u8>> {
        match &self.carried {
            Some(c) => Ok(crate::model::memory::file::to_bytes(&c.memory)),
            None => memory::memory_file(records),
        }
    }

    /// The text between two code point offsets (clamped to the text).
    pub fn slice(&self, start: usize, end: usize) -> String {
        let a = self.doc.byte_offset(start);
        let b = self.doc.byte_offset(end.max(start));
        self.doc.slice(Span::new(a, b)).to_string()
    }
}

fn node_view(doc: &Document, n: &OutlineNode) -> NodeView {
    NodeView {
        title: n.title.clone(),
        level: n.level,
        page: n.page,
        start: doc.char_offset(n.span.start),
        end: doc.char_offset(n.span.end),
        scope: scope(doc, n).text,
        children: n.children.iter().map(|c| node_view(doc, c)).collect(),
    }
}

fn count(nodes: &[NodeView]) -> usize {
    nodes.iter().map(|n| 1 + count(&n.children)).sum()
}

/// The boxes of the PDF lines that overlap a span.
fn boxes(doc: &Document, span: Span) -> Vec<[f32; 5]> {
    if doc.kind != DocKind::Pdf {
        return Vec::new();
    }
    let first = doc.blocks.partition_point(|b| b.span.end <= span.start);
    doc.blocks[first..]
        .iter()
        .take_while(|b| b.span.start < span.end)
        .filter(|b| b.span.overlaps(&span))
        .map(|b| [b.page as f32, b.bbox[0], b.bbox[1], b.bbox[2], b.bbox[3]])
        .collect()
}

/// The JavaScript face of [`Tome`]: same methods, JS values in and out.
#[cfg(target_family = "wasm")]
#[wasm_bindgen]
impl Tome {
    /// Reads a document from its bytes; throws with a message that says what to do.
    #[wasm_bindgen(js_name = open)]
    pub fn js_open(bytes: &[u8], name: &str) -> Result<Tome, JsError> {
        panic_message::install();
        Tome::open(bytes, name).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The message of the last panic, if the module aborted on one (then the instance is dead).
    #[wasm_bindgen(js_name = lastPanic)]
    pub fn js_last_panic() -> Option<String> {
        panic_message::last()
    }

    #[wasm_bindgen(js_name = info)]
    pub fn js_info(&self) -> Result<JsValue, JsError> {
        to_js(&self.info())
    }

    #[wasm_bindgen(js_name = outline)]
    pub fn js_outline(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.outline())
    }

    #[wasm_bindgen(js_name = index)]
    pub fn js_index(&mut self) -> usize {
        self.index()
    }

    #[wasm_bindgen(js_name = search)]
    pub fn js_search(&mut self, query: &str, k: usize) -> Result<JsValue, JsError> {
        to_js(&self.search(query, k))
    }

    #[wasm_bindgen(js_name = ask)]
    pub fn js_ask(&mut self, question: &str) -> Result<JsValue, JsError> {
        to_js(&self.ask(question))
    }

    #[wasm_bindgen(js_name = slice)]
    pub fn js_slice(&self, start: usize, end: usize) -> String {
        self.slice(start, end)
    }

    /// Loads the language model from its GGUF bytes (kept across documents), on up to `threads`
    /// threads (the threaded build's helpers must be started first: see `poolHelper`).
    #[wasm_bindgen(js_name = loadModel)]
    pub fn js_load_model(bytes: Vec<u8>, threads: usize) -> Result<JsValue, JsError> {
        panic_message::install();
        to_js(&reading::load(bytes, threads).map_err(js_err)?)
    }

    /// Whether this is the threaded build (shared memory, helper threads possible).
    #[wasm_bindgen(js_name = threaded)]
    pub fn js_threaded() -> bool {
        cfg!(target_feature = "atomics")
    }

    /// The body of a helper thread (a Web Worker on this module and memory): never returns. The
    /// model's CPU pool runs its share of every matmul on it. Throws in the single-thread build.
    #[wasm_bindgen(js_name = poolHelper)]
    pub fn js_pool_helper() -> Result<(), JsError> {
        panic_message::install();
        #[cfg(target_feature = "atomics")]
        crate::cpu::pool::wasm_helper();
        Err(JsError::new("this is the single-thread build: it has no helper threads"))
    }

    /// How long idle helper threads and the model's thread waiting for them spin before they sleep
    /// (checks; 4294967295: never). For measuring (bench page); no-op in the single-thread build.
    #[wasm_bindgen(js_name = setPoolSpins)]
    pub fn js_set_pool_spins(helper: u32, caller: u32) {
        #[cfg(target_feature = "atomics")]
        crate::cpu::pool::set_wasm_spins(helper, caller);
        #[cfg(not(target_feature = "atomics"))]
        let _ = (helper, caller);
    }

    /// How many helper threads are started and waiting for the model.
    #[wasm_bindgen(js_name = poolHelpersIdle)]
    pub fn js_pool_helpers_idle() -> usize {
        #[cfg(target_feature = "atomics")]
        return crate::cpu::pool::wasm_helpers_idle();
        #[cfg(not(target_feature = "atomics"))]
        0
    }

    #[wasm_bindgen(js_name = modelLoaded)]
    pub fn js_model_loaded() -> bool {
        reading::loaded()
    }

    /// Greedy continuation ids of a raw prompt (no chat template).
    #[wasm_bindgen(js_name = greedy)]
    pub fn js_greedy(prompt: &str, n: usize) -> Result<Vec<u32>, JsError> {
        reading::greedy(prompt, n).map_err(js_err)
    }

    /// The CPU kernels of this wasm build against their scalar twins on random inputs drawn from
    /// `seed` (see cpu::check): { isa, seed, kernels: [{ kernel, compared, max_rel_err, bit_mismatches }] }.
    #[wasm_bindgen(js_name = checkKernels)]
    pub fn js_check_kernels(seed: u32) -> Result<JsValue, JsError> {
        let isa = crate::cpu::Isa::detect();
        to_js(&crate::cpu::check::check_kernels(isa, seed))
    }

    /// Switches the loaded model's CPU kernels ("simd128" or "scalar", as `kernels` lists them);
    /// returns the set in use before. For comparing the two sets' answers and speed.
    #[wasm_bindgen(js_name = setKernels)]
    pub fn js_set_kernels(name: &str) -> Result<String, JsError> {
        reading::set_kernels(name).map(str::to_string).map_err(|e| JsError::new(&e))
    }

    /// Prompt tokens fed per reading step from the next reading on; returns the previous count.
    /// For measuring what the step size costs (bench page).
    #[wasm_bindgen(js_name = setPrefillChunk)]
    pub fn js_set_prefill_chunk(n: usize) -> usize {
        reading::set_prefill_chunk(n)
    }

    #[wasm_bindgen(js_name = benchPrefill)]
    pub fn js_bench_prefill(n: usize, room: usize) -> Result<usize, JsError> {
        reading::bench_prefill(n, room).map_err(js_err)
    }

    /// The token ids `benchPrefill(n, _)` feeds the model, so another engine can be given the same prompt.
    #[wasm_bindgen(js_name = benchPromptIds)]
    pub fn js_bench_prompt_ids(n: usize) -> Result<Vec<u32>, JsError> {
        reading::bench_prompt_ids(n).map_err(js_err)
    }

    /// The same prompt as text (the ids decoded), for engines that tokenize text themselves.
    #[wasm_bindgen(js_name = benchPromptText)]
    pub fn js_bench_prompt_text(n: usize) -> Result<String, JsError> {
        reading::bench_prompt_text(n).map_err(js_err)
    }

    /// The WebGPU adapter this browser gives (created once, kept); throws when there is none, in
    /// words that say the CPU is used instead.
    #[wasm_bindgen(js_name = gpuInfo)]
    pub async fn js_gpu_info() -> Result<JsValue, JsError> {
        panic_message::install();
        to_js(&gpu::info().await.map_err(|e| JsError::new(&e.to_string()))?)
    }

    /// Runs the residual-add kernel on WebGPU and its CPU twin on `n` random floats from `seed`.
    #[wasm_bindgen(js_name = gpuCheckAdd)]
    pub async fn js_gpu_check_add(n: usize, seed: u32) -> Result<JsValue, JsError> {
        panic_message::install();
        to_js(&gpu::check_add(n, seed as u64).await.map_err(|e| JsError::new(&e.to_string()))?)
    }

    /// Uploads the loaded model to WebGPU (after `loadModel`); throws the GPU's error in words
    /// (no adapter, too large, out of memory, device lost) and the CPU model stays usable.
    #[wasm_bindgen(js_name = gpuLoadModel)]
    pub async fn js_gpu_load_model(n_ctx: usize) -> Result<JsValue, JsError> {
        panic_message::install();
        to_js(&gpu::load_model(n_ctx).await.map_err(|e| JsError::new(&e.to_string()))?)
    }

    #[wasm_bindgen(js_name = gpuModelLoaded)]
    pub fn js_gpu_model_loaded() -> bool {
        gpu::model_loaded()
    }

    /// The next-token logits after raw `text` (no chat template), computed on WebGPU.
    #[wasm_bindgen(js_name = gpuLogits)]
    pub async fn js_gpu_logits(text: String) -> Result<Vec<f32>, JsError> {
        let (_, logits) = gpu::logits(&text).await.map_err(|e| JsError::new(&e.to_string()))?;
        Ok(logits)
    }

    /// The model's token ids of raw `text` (no chat template).
    #[wasm_bindgen(js_name = tokenize)]
    pub fn js_tokenize(text: &str) -> Result<Vec<u32>, JsError> {
        reading::with_model(|m| m.tokenizer.encode(text)).map_err(js_err)?.map_err(js_err)
    }

    #[wasm_bindgen(js_name = gpuBenchPrefill)]
    pub async fn js_gpu_bench_prefill(n: usize) -> Result<usize, JsError> {
        gpu::bench_prefill(n).await.map_err(|e| JsError::new(&e.to_string()))
    }

    #[wasm_bindgen(js_name = gpuBenchDecode)]
    pub async fn js_gpu_bench_decode(n: usize) -> Result<usize, JsError> {
        gpu::bench_decode(n).await.map_err(|e| JsError::new(&e.to_string()))
    }

    /// FAULT-INJECTION HOOK FOR TESTS ONLY: a real Rust panic inside the wasm instance, as a bug in
    /// the reader would raise while reading `name`. It aborts the instance (no unwinding on wasm),
    /// so the worker's crash path (restart, message naming the file) can be tested end to end. The
    /// worker calls it only when the page was opened with `?test-hooks` (see web/js/worker.js).
    #[wasm_bindgen(js_name = faultInjectionPanic)]
    pub fn js_fault_injection_panic(name: &str) {
        panic_message::install();
        panic!("fault injection (test hook): simulated internal error while reading {name:?}");
    }

    #[wasm_bindgen(js_name = benchDecode)]
    pub fn js_bench_decode(n: usize) -> Result<usize, JsError> {
        reading::bench_decode(n).map_err(js_err)
    }

    #[wasm_bindgen(js_name = readStart)]
    pub fn js_read_start(&mut self, question: &str) -> Result<JsValue, JsError> {
        to_js(&self.read_start(question).map_err(js_err)?)
    }

    #[wasm_bindgen(js_name = readStep)]
    pub fn js_read_step() -> Result<JsValue, JsError> {
        to_js(&reading::step().map_err(js_err)?)
    }

    /// One step of the reading on WebGPU; an error (device lost, out of memory) leaves the reading
    /// to be continued with `readStep` on the CPU.
    #[wasm_bindgen(js_name = gpuReadStep)]
    pub async fn js_gpu_read_step() -> Result<JsValue, JsError> {
        to_js(&gpu::read_step().await.map_err(|e| JsError::new(&e.to_string()))?)
    }

    /// Frees the model's GPU buffers (the CPU model stays).
    #[wasm_bindgen(js_name = gpuUnloadModel)]
    pub fn js_gpu_unload_model() {
        gpu::unload_model()
    }

    /// Test hook: `GPUDevice.destroy()` on the GPU model's device, a real device loss.
    #[wasm_bindgen(js_name = gpuDestroyDevice)]
    pub fn js_gpu_destroy_device() -> bool {
        gpu::destroy_device()
    }

    #[wasm_bindgen(js_name = readCancel)]
    pub fn js_read_cancel() {
        reading::cancel()
    }

    /// Plans reading the whole document: { key, windows, tokens, ratio, window, memory_bytes }.
    #[wasm_bindgen(js_name = memoryPlan)]
    pub fn js_memory_plan(&self, doc_bytes: &[u8], window: usize) -> Result<JsValue, JsError> {
        to_js(&self.memory_plan(doc_bytes, window).map_err(lib_err)?)
    }

    /// The planned reading goes on after the `stored` windows kept from an earlier one; returns the progress.
    #[wasm_bindgen(js_name = memoryResume)]
    pub fn js_memory_resume(stored: usize) -> Result<JsValue, JsError> {
        to_js(&memory::resume(stored).map_err(lib_err)?)
    }

    /// Reads the planned reading's next window; returns its record, to store.
    #[wasm_bindgen(js_name = memoryReadNext)]
    pub fn js_memory_read_next() -> Result<Vec<u8>, JsError> {
        memory::read_next().map_err(lib_err)
    }

    /// Where the planned reading stands: { windows_done, windows, tokens_done, tokens, resumed, resumed_tokens }.
    #[wasm_bindgen(js_name = memoryProgress)]
    pub fn js_memory_progress() -> Result<JsValue, JsError> {
        to_js(&memory::progress())
    }

    /// Assembles the memory from every window's record, concatenated in order: { windows, tokens,
    /// ratio, memory_bytes, positions }; later readings start from it.
    #[wasm_bindgen(js_name = memoryAssemble)]
    pub fn js_memory_assemble(&self, records: &[u8]) -> Result<JsValue, JsError> {
        to_js(&self.memory_assemble(records).map_err(lib_err)?)
    }

    /// The name of the memory file (`NAME.tome`) this document was opened from, or undefined.
    #[wasm_bindgen(js_name = carried)]
    pub fn js_carried(&self) -> Option<String> {
        self.carried()
    }

    /// The document's own file when it came inside a memory file, or undefined.
    #[wasm_bindgen(js_name = carriedDocBytes)]
    pub fn js_carried_doc_bytes(&self) -> Option<Vec<u8>> {
        self.carried_doc_bytes()
    }

    /// Assembles the memory of the `.tome` file this document was opened from: { windows, tokens, ratio, memory_bytes, positions }.
    #[wasm_bindgen(js_name = memoryAssembleCarried)]
    pub fn js_memory_assemble_carried(&self) -> Result<JsValue, JsError> {
        to_js(&self.memory_assemble_carried().map_err(lib_err)?)
    }

    /// The whole reading as a memory file's bytes (see [`Tome::memory_file`]).
    #[wasm_bindgen(js_name = memoryFile)]
    pub fn js_memory_file(&self, records: &[u8]) -> Result<Vec<u8>, JsError> {
        self.memory_file(records).map_err(lib_err)
    }

    /// Drops the planned reading and the assembled memory.
    #[wasm_bindgen(js_name = memoryForget)]
    pub fn js_memory_forget() {
        memory::forget()
    }
}

#[cfg(target_family = "wasm")]
fn lib_err(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

#[cfg(target_family = "wasm")]
fn js_err(e: crate::model::ModelError) -> JsError {
    JsError::new(&e.to_string())
}

#[cfg(target_family = "wasm")]
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).map_err(|e| JsError::new(&e.to_string()))
}

/// A panic on wasm aborts the instance; keep its message so the worker can say what happened.
#[cfg(target_family = "wasm")]
mod panic_message {
    use std::sync::{Mutex, Once};

    static LAST: Mutex<Option<String>> = Mutex::new(None);
    static HOOK: Once = Once::new();

    pub fn install() {
        HOOK.call_once(|| {
            std::panic::set_hook(Box::new(|info| {
                #[cfg(target_feature = "atomics")]
                crate::cpu::pool::wasm_note_panic();
                if let Ok(mut last) = LAST.lock() {
                    // In the threaded build a helper's panic comes first; the model's thread then
                    // panics because of it: keep both.
                    *last = Some(match last.take() {
                        Some(before) if cfg!(target_feature = "atomics") => {
                            format!("{info} (after: {before})")
                        }
                        _ => info.to_string(),
                    });
                }
            }));
        });
    }

    pub fn last() -> Option<String> {
        LAST.lock().ok().and_then(|l| l.clone())
    }
}

/// The real model's bytes for the tests that run it; a missing model fails them with what to run.
#[cfg(test)]
pub(crate) fn test_model_bytes() -> Vec<u8> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/SmolLM2-135M-Instruct.Q4_1.gguf");
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("model missing at {} ({e}): run scripts/fetch-model.sh", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval_doc(rel: &str) -> (Vec<u8>, String) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval/docs").join(rel);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        (bytes, name)
    }

    #[test]
    fn novel_opens_with_chapters_and_offsets_in_code_points() {
        let (bytes, name) = eval_doc("novels/persuasion.txt");
        let mut tome = Tome::open(&bytes, &name).expect("the novel opens");
        let info = tome.info();
        assert_eq!(info.kind, DocKind::Text);
        let text = String::from_utf8_lossy(&bytes);
        assert!(info.chars > 100_000 && info.chars <= text.chars().count());
        let outline = tome.outline();
        assert!(outline.count >= 20, "a novel has its chapters listed, got {}", outline.count);
        for node in &outline.nodes {
            assert!(node.start <= node.end && node.end <= info.chars);
            let section = tome.slice(node.start, node.end);
            let head: String = section.chars().take(300).collect::<String>().to_lowercase();
            let word = node.title.split_whitespace().next().unwrap_or("").to_lowercase();
            assert!(head.contains(&word), "section {:?} starts near its title", node.title);
        }
    }

    #[test]
    fn search_and_ask_return_spans_that_slice_to_their_text() {
        let (bytes, name) = eval_doc("novels/prideprejudice.txt");
        let mut tome = Tome::open(&bytes, &name).expect("the novel opens");
        tome.index();
        let hits = tome.search("Netherfield Park", 5);
        assert!(!hits.is_empty(), "a phrase of the novel is found");
        for hit in &hits {
            assert_eq!(tome.slice(hit.start, hit.end), hit.text);
            for [a, b] in &hit.matches {
                let m: String = hit.text.chars().skip(*a).take(b - a).collect();
                let m = m.to_lowercase();
                assert!(m.starts_with("netherfield") || m.starts_with("park"), "match {m:?}");
            }
        }
        let answer = tome.ask("Who is the owner of Netherfield Park?");
        assert!(answer.found && !answer.citations.is_empty(), "the answer cites the text");
        for c in &answer.citations {
            assert_eq!(tome.slice(c.start, c.end), c.text);
        }
    }

    #[test]
    fn unreadable_bytes_give_an_error_in_words() {
        let Err(err) = Tome::open(b"%PDF-1.7\nthis is not really a pdf", "broken.pdf") else {
            panic!("a broken PDF must not open");
        };
        assert!(err.to_string().contains("PDF"), "{err}");
        let Err(err) = Tome::open(b"", "empty.txt") else { panic!("an empty file must not open") };
        assert!(err.to_string().contains("empty"), "{err}");
    }
}

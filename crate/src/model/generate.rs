//! Generation: prompt ids in, streamed text out, until a stop token, the token limit, a full
//! context, or the caller stops it.
//!
//! [`Generator`] is the one generation loop, as a state machine that does not own a backend: it
//! says which tokens to feed next ([`Generator::next`]), the caller feeds them to whichever
//! backend holds the context (the CPU [`Session`], the GPU model, awaited in the browser) and hands
//! the logits back ([`Generator::fed`]). So the CLI's blocking loop ([`generate_on`]), the page's
//! step-per-message reading and a switch of backend mid-answer all run the same code.

use super::ModelError;
use super::llama::{Llama, Session};
use super::sample::{Sampler, top_k};
use super::tokenizer::Tokenizer;

/// A model with its session's state, as generation sees it (the CPU [`Llama`] with a [`Session`], or
/// the GPU model): tokens in, the logits (vocab,) predicting the next token out.
pub trait Forward {
    fn feed(&mut self, tokens: &[u32]) -> crate::Result<&[f32]>;
    /// Positions used so far.
    fn len(&self) -> usize;
    fn n_ctx(&self) -> usize;
    /// Forgets every position (the next feed starts a new context).
    fn reset(&mut self);
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Starts a new context, feeds `context` then `text`, and returns the log-probability (natural
    /// log, under the whole vocabulary) the model gave each token of `text` after what came before
    /// it: how well the context predicts the text. Token by token here; a backend that can read
    /// several positions of one feed does it in one.
    fn text_logprobs(&mut self, context: &[u32], text: &[u32]) -> crate::Result<Vec<f32>> {
        token_by_token(self, context, text)
    }
}

/// [`Forward::text_logprobs`] one token per feed.
fn token_by_token<F: Forward + ?Sized>(f: &mut F, context: &[u32], text: &[u32]) -> crate::Result<Vec<f32>> {
    f.reset();
    let mut logits = f.feed(context)?.to_vec();
    let mut out = Vec::with_capacity(text.len());
    for (i, &id) in text.iter().enumerate() {
        out.push(log_prob(&logits, id));
        if i + 1 < text.len() {
            logits.copy_from_slice(f.feed(&[id])?);
        }
    }
    Ok(out)
}

/// The log-probability of `id` under the softmax of `logits` (-inf for an id out of range).
pub fn log_prob(logits: &[f32], id: u32) -> f32 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let lse = max + logits.iter().map(|v| (v - max).exp()).sum::<f32>().ln();
    logits.get(id as usize).map_or(f32::NEG_INFINITY, |l| l - lse)
}

/// The CPU model and one of its sessions.
pub struct CpuForward<'a> {
    pub model: &'a Llama,
    pub session: &'a mut Session,
}

impl Forward for CpuForward<'_> {
    fn feed(&mut self, tokens: &[u32]) -> crate::Result<&[f32]> {
        Ok(self.model.forward(self.session, tokens)?)
    }
    fn len(&self) -> usize {
        self.session.len()
    }
    fn n_ctx(&self) -> usize {
        self.session.n_ctx()
    }
    fn reset(&mut self) {
        self.session.clear();
    }
    /// One feed of the text (its positions read back from the chunk) instead of one per token.
    fn text_logprobs(&mut self, context: &[u32], text: &[u32]) -> crate::Result<Vec<f32>> {
        let Some(&first_id) = text.first() else { return Ok(Vec::new()) };
        let head = &text[..text.len() - 1];
        if head.len() > super::llama::MAX_BATCH {
            // Longer than one chunk: only the last chunk's positions can be read back.
            return token_by_token(self, context, text);
        }
        self.session.clear();
        let first = self.model.forward(self.session, context)?;
        let mut out = Vec::with_capacity(text.len());
        out.push(log_prob(first, first_id));
        if head.is_empty() {
            return Ok(out);
        }
        self.model.forward(self.session, head)?;
        for (i, &id) in text[1..].iter().enumerate() {
            let back = head.len() - 1 - i;
            // A session that cannot read this position back is scored the plain way.
            let Some(logits) = self.model.logits_back(self.session, back) else {
                return token_by_token(self, context, text);
            };
            out.push(log_prob(logits, id));
        }
        Ok(out)
    }
}

pub struct GenerateOptions {
    pub max_new_tokens: usize,
    pub sampler: Sampler,
    /// How many of the top next-token logits after the prompt to report (0: none).
    pub top_logits: usize,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions { max_new_tokens: 128, sampler: Sampler::greedy(), top_logits: 0 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// EOS or `<|im_end|>` was generated (not included in the output).
    StopToken,
    MaxTokens,
    ContextFull,
    Cancelled,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::StopToken => "stop_token",
            StopReason::MaxTokens => "max_tokens",
            StopReason::ContextFull => "context_full",
            StopReason::Cancelled => "cancelled",
        }
    }
}

/// One generation in progress (see the module doc for the protocol).
pub struct Generator {
    prompt: Vec<u32>,
    ids: Vec<u32>,
    /// Tokens of `prompt` then `ids` the backend holds (0 again after [`Generator::restart`]).
    fed: usize,
    /// (vocab,) after the last token fed.
    logits: Vec<f32>,
    sampler: Sampler,
    stops: Vec<u32>,
    max_new: usize,
    /// Positions the backend's context has room for.
    n_ctx: usize,
    /// Most tokens fed in one step while catching up (the prompt), so a caller that steps can stop
    /// between chunks; `usize::MAX` feeds the prompt at once.
    chunk: usize,
    stop: Option<StopReason>,
    text: Utf8Stream,
    /// Answer text decoded but not yet taken.
    pending: String,
}

impl Generator {
    pub fn new(
        tok: &Tokenizer,
        prompt: Vec<u32>,
        sampler: Sampler,
        max_new: usize,
        n_ctx: usize,
        chunk: usize,
    ) -> Generator {
        Generator {
            prompt,
            ids: Vec::new(),
            fed: 0,
            logits: Vec::new(),
            sampler,
            stops: [tok.eos, tok.im_end].into_iter().flatten().collect(),
            max_new,
            n_ctx,
            chunk: chunk.max(1),
            stop: None,
            text: Utf8Stream::default(),
            pending: String::new(),
        }
    }

    /// The tokens to feed next: a chunk of the prompt (after a restart, of the answer so far too),
    /// or the token just generated; empty when the generation is over ([`Generator::stop`] says why).
    /// Generating a token adds its text to what [`Generator::take_text`] returns.
    pub fn next(&mut self, tok: &Tokenizer) -> Result<Vec<u32>, ModelError> {
        if self.stop.is_some() {
            return Ok(Vec::new());
        }
        let known = self.prompt.len() + self.ids.len();
        if self.fed < known {
            let n = self.chunk.min(known - self.fed);
            return Ok(self.prompt.iter().chain(&self.ids).skip(self.fed).take(n).copied().collect());
        }
        if self.ids.len() >= self.max_new {
            self.stop = Some(StopReason::MaxTokens);
            return Ok(Vec::new());
        }
        let recent = self.prompt.len().saturating_sub(self.sampler.repeat_last_n);
        let history: Vec<u32> = self.prompt[recent..].iter().chain(&self.ids).copied().collect();
        let next = self.sampler.sample(&self.logits, &history);
        if self.stops.contains(&next) {
            self.stop = Some(StopReason::StopToken);
            return Ok(Vec::new());
        }
        self.ids.push(next);
        self.pending.push_str(&self.text.push(&tok.token_bytes(next)));
        if self.ids.len() >= self.max_new {
            self.stop = Some(StopReason::MaxTokens);
        } else if self.fed >= self.n_ctx {
            self.stop = Some(StopReason::ContextFull);
        } else {
            return Ok(vec![next]);
        }
        Ok(Vec::new())
    }

    /// The backend took `n` tokens of [`Generator::next`] and returned these logits (vocab,).
    pub fn fed(&mut self, n: usize, logits: &[f32]) {
        self.fed += n;
        self.logits.clear();
        self.logits.extend_from_slice(logits);
    }

    /// The backend lost the context (a switch of backend): everything is fed again from the start.
    pub fn restart(&mut self) {
        self.fed = 0;
    }

    /// The backend's context already holds the first `n` prompt tokens (a [`super::SharedPrefix`]
    /// copied into a fresh session): feeding starts after them. At most all but the last prompt
    /// token, whose logits pick the first answer token.
    pub fn held(&mut self, n: usize) {
        self.fed = n.min(self.prompt.len().saturating_sub(1));
    }

    /// Stops before the next token (Stop pressed, or the caller's callback said so).
    pub fn cancel(&mut self) {
        self.stop.get_or_insert(StopReason::Cancelled);
    }

    /// The answer text generated since the last call.
    pub fn take_text(&mut self) -> String {
        std::mem::take(&mut self.pending)
    }

    pub fn stop(&self) -> Option<StopReason> {
        self.stop
    }

    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    pub fn prompt_len(&self) -> usize {
        self.prompt.len()
    }

    pub fn prompt(&self) -> &[u32] {
        &self.prompt
    }

    /// Prompt tokens the backend holds.
    pub fn prefilled(&self) -> usize {
        self.fed.min(self.prompt.len())
    }

    pub fn n_ctx(&self) -> usize {
        self.n_ctx
    }

    /// The logits after the last token fed (empty before the first feed).
    pub fn logits(&self) -> &[f32] {
        &self.logits
    }
}

/// Incremental UTF-8: bytes in, the text they complete out; a character cut between two tokens
/// waits for its end, and bytes that can never be UTF-8 become U+FFFD (as a whole decode would).
#[derive(Default)]
pub struct Utf8Stream {
    held: Vec<u8>,
}

impl Utf8Stream {
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.held.extend_from_slice(bytes);
        let mut out = String::new();
        loop {
            match std::str::from_utf8(&self.held) {
                Ok(s) => {
                    out.push_str(s);
                    self.held.clear();
                    return out;
                }
                Err(e) => {
                    let good = e.valid_up_to();
                    out.push_str(std::str::from_utf8(&self.held[..good]).unwrap_or_default());
                    match e.error_len() {
                        Some(bad) => {
                            out.push('\u{FFFD}');
                            self.held.drain(..good + bad);
                        }
                        None => {
                            self.held.drain(..good);
                            return out;
                        }
                    }
                }
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct Generation {
    pub ids: Vec<u32>,
    pub text: String,
    pub stop: StopReason,
    /// The top next-token logits right after the prompt: (id, logit), best first.
    pub prompt_top_logits: Vec<(u32, f32)>,
}

/// Feeds `prompt` into `session` and generates. `on_text(id, text)` receives each token and the text it
/// completes; returning false stops generation.
pub fn generate(
    model: &Llama,
    session: &mut Session,
    prompt: &[u32],
    opts: &mut GenerateOptions,
    on_text: &mut dyn FnMut(u32, &str) -> bool,
) -> crate::Result<Generation> {
    generate_on(&model.tokenizer, &mut CpuForward { model, session }, prompt, opts, on_text)
}

/// [`generate`] on any backend: `tok` is the model's tokenizer, `session` its forward pass and state,
/// the [`Generator`] driven to its end.
pub fn generate_on(
    tok: &Tokenizer,
    session: &mut dyn Forward,
    prompt: &[u32],
    opts: &mut GenerateOptions,
    on_text: &mut dyn FnMut(u32, &str) -> bool,
) -> crate::Result<Generation> {
    let sampler = std::mem::take(&mut opts.sampler);
    // The generator counts positions from what it feeds; the session may hold some already.
    let room = session.n_ctx().saturating_sub(session.len());
    let mut g = Generator::new(tok, prompt.to_vec(), sampler, opts.max_new_tokens, room, usize::MAX);
    let mut prompt_top_logits = Vec::new();
    let mut text = String::new();
    let mut seen = 0;
    loop {
        let feed = g.next(tok)?;
        if let Some(&id) = g.ids().get(seen) {
            seen += 1;
            let piece = g.take_text();
            text.push_str(&piece);
            if !on_text(id, &piece) {
                g.cancel();
                break;
            }
        }
        if feed.is_empty() {
            break;
        }
        let first = g.prefilled() == 0;
        let logits = session.feed(&feed)?;
        if first {
            prompt_top_logits = top_k(logits, opts.top_logits);
        }
        g.fed(feed.len(), logits);
    }
    opts.sampler = std::mem::take(&mut g.sampler);
    let stop = g.stop().unwrap_or(StopReason::MaxTokens);
    Ok(Generation { ids: g.ids, text, stop, prompt_top_logits })
}

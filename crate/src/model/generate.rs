//! Generation: prompt ids in, streamed tokens out, until a stop token, the token limit, a full
//! context, or the caller's callback returns false (cancellation).

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
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
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

/// [`generate`] on any backend: `tok` is the model's tokenizer, `session` its forward pass and state.
pub fn generate_on(
    tok: &Tokenizer,
    session: &mut dyn Forward,
    prompt: &[u32],
    opts: &mut GenerateOptions,
    on_text: &mut dyn FnMut(u32, &str) -> bool,
) -> crate::Result<Generation> {
    let stops: Vec<u32> = [tok.eos, tok.im_end].into_iter().flatten().collect();
    let mut logits = session.feed(prompt)?.to_vec();
    let prompt_top_logits = top_k(&logits, opts.top_logits);
    let mut history: Vec<u32> = prompt.to_vec();
    let mut ids = Vec::new();
    let mut text = String::new();
    let mut stream = tok.stream();
    let mut stop = StopReason::MaxTokens;
    while ids.len() < opts.max_new_tokens {
        let next = opts.sampler.sample(&logits, &history);
        if stops.contains(&next) {
            stop = StopReason::StopToken;
            break;
        }
        ids.push(next);
        history.push(next);
        let piece = stream.step(next)?;
        text.push_str(&piece);
        if !on_text(next, &piece) {
            stop = StopReason::Cancelled;
            break;
        }
        if ids.len() == opts.max_new_tokens {
            break;
        }
        if session.len() >= session.n_ctx() {
            stop = StopReason::ContextFull;
            break;
        }
        logits.copy_from_slice(session.feed(&[next])?);
    }
    Ok(Generation { ids, text, stop, prompt_top_logits })
}

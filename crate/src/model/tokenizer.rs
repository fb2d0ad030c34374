//! Text <-> token ids, built from the GGUF's own tokenizer metadata with the `tokenizers` crate.
//!
//! llama.cpp's `smollm` pre-tokenizer (llama-vocab.cpp): every digit is split off alone, then the GPT-2
//! regex splits the rest, byte-level, no prefix space, no BOS (`add_bos_token = false`). In `tokenizers`
//! terms: Sequence[Digits(individual), ByteLevel(no prefix space)] + BPE(tokens, merges), with the
//! control tokens (token_type 3, e.g. `<|im_start|>`) added as special tokens so they are matched whole
//! before splitting.

use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::{
    AddedToken, DecodeStream, DecoderWrapper, ModelWrapper, NormalizerWrapper, PostProcessorWrapper,
    PreTokenizerWrapper,
};

use super::ModelError;
use super::gguf::Gguf;

/// ggml token type of control tokens.
const TOKEN_TYPE_CONTROL: u64 = 3;

type Hf = tokenizers::Tokenizer;

pub struct Tokenizer {
    hf: Hf,
    /// Token strings by id (byte-level encoded, as stored in the GGUF).
    tokens: Vec<String>,
    pub bos: Option<u32>,
    pub eos: Option<u32>,
    /// `<|im_end|>` when the vocabulary has it: the end of a chat turn.
    pub im_end: Option<u32>,
    pub add_bos: bool,
}

fn tok_err(e: impl std::fmt::Display) -> ModelError {
    ModelError::Tokenizer(e.to_string())
}

impl Tokenizer {
    /// Builds the tokenizer from `tokenizer.ggml.*` metadata (model `gpt2`, byte-level BPE).
    pub fn from_gguf(g: &Gguf) -> Result<Self, ModelError> {
        let model = g.get_str("tokenizer.ggml.model")?;
        if model != "gpt2" {
            return Err(ModelError::Tokenizer(format!(
                "tokenizer model `{model}` is not supported (tome reads byte-level BPE, `gpt2`)"
            )));
        }
        let tokens: Vec<String> = g
            .get_array("tokenizer.ggml.tokens")?
            .as_strs()
            .ok_or(ModelError::BadKey("tokenizer.ggml.tokens".into(), "an array of strings"))?
            .to_vec();
        let merges: Vec<(String, String)> = g
            .get_array("tokenizer.ggml.merges")?
            .as_strs()
            .and_then(|merges| {
                merges
                    .iter()
                    .map(|v| {
                        let (a, b) = v.split_once(' ')?;
                        Some((a.to_string(), b.to_string()))
                    })
                    .collect::<Option<_>>()
            })
            .ok_or(ModelError::BadKey("tokenizer.ggml.merges".into(), "an array of \"a b\" strings"))?;
        let types: Vec<u64> = match g.metadata.get("tokenizer.ggml.token_type").and_then(|v| v.as_array()) {
            Some(a) => a.to_u64s().unwrap_or_default().into_iter().map(|t| t.unwrap_or(1)).collect(),
            None => Vec::new(),
        };
        let mut vocab = Vocab::default();
        for (i, t) in tokens.iter().enumerate() {
            vocab.insert(t.clone(), i as u32);
        }
        let bpe = BPE::builder().vocab_and_merges(vocab, merges).build().map_err(tok_err)?;
        let mut hf = Hf::new(bpe);
        let pre = Sequence::new(vec![
            PreTokenizerWrapper::Digits(Digits::new(true)),
            PreTokenizerWrapper::ByteLevel(ByteLevel::new(false, false, true)),
        ]);
        hf.with_pre_tokenizer(Some(pre));
        hf.with_decoder(Some(ByteLevelDecoder::default()));
        let specials: Vec<AddedToken> = tokens
            .iter()
            .zip(&types)
            .filter(|(_, t)| **t == TOKEN_TYPE_CONTROL)
            .map(|(s, _)| AddedToken::from(s.clone(), true))
            .collect();
        hf.add_special_tokens(&specials);

        let id = |key: &str| g.metadata.get(key).and_then(|v| v.as_u64()).map(|v| v as u32);
        let im_end = tokens.iter().position(|t| t == "<|im_end|>").map(|i| i as u32);
        let add_bos =
            g.metadata.get("tokenizer.ggml.add_bos_token").and_then(|v| v.as_bool()).unwrap_or(false);
        Ok(Tokenizer {
            hf,
            tokens,
            bos: id("tokenizer.ggml.bos_token_id"),
            eos: id("tokenizer.ggml.eos_token_id"),
            im_end,
            add_bos,
        })
    }

    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    /// Text -> ids; special tokens written in the text (`<|im_start|>`) become their single ids.
    /// A BOS id is prepended only when the model asks for it (SmolLM2 does not).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, ModelError> {
        let enc = self.hf.encode_fast(text, false).map_err(tok_err)?;
        let mut ids = Vec::with_capacity(enc.len() + 1);
        if self.add_bos {
            ids.extend(self.bos);
        }
        ids.extend_from_slice(enc.get_ids());
        Ok(ids)
    }

    /// Ids -> text, special tokens included (so decode(encode(s)) == s).
    pub fn decode(&self, ids: &[u32]) -> Result<String, ModelError> {
        self.hf.decode(ids, false).map_err(tok_err)
    }

    /// The stored string of one token (byte-level encoded), for display and debugging.
    pub fn token_str(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).map(String::as_str)
    }

    /// A streaming decoder: feed ids one by one, get text as soon as it is whole UTF-8.
    pub fn stream(&self) -> TextStream<'_> {
        TextStream { inner: self.hf.decode_stream(false) }
    }
}

/// Incremental decoding for streaming output (a token can end in the middle of a UTF-8 character).
pub struct TextStream<'a> {
    inner: DecodeStream<
        'a,
        ModelWrapper,
        NormalizerWrapper,
        PreTokenizerWrapper,
        PostProcessorWrapper,
        DecoderWrapper,
    >,
}

impl TextStream<'_> {
    /// The new text that token `id` completes (possibly empty).
    pub fn step(&mut self, id: u32) -> Result<String, ModelError> {
        Ok(self.inner.step(id).map_err(tok_err)?.unwrap_or_default())
    }
}

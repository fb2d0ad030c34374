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
use tokenizers::{AddedToken, PreTokenizerWrapper};

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
    /// Byte-level BPE's alphabet read back: the byte each char (by code point, < 512) stands for.
    unbyte: Vec<Option<u8>>,
}

/// GPT-2's byte-level alphabet (`bytes_to_unicode`): printable Latin-1 bytes stand for themselves,
/// the others for 256, 257, ... in byte order. Returns the inverse, indexed by code point.
fn byte_level_inverse() -> Vec<Option<u8>> {
    let printable = |b: u8| matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
    let mut inverse = vec![None; 512];
    let mut next = 256;
    for b in 0..=255u8 {
        if printable(b) {
            inverse[b as usize] = Some(b);
        } else {
            inverse[next] = Some(b);
            next += 1;
        }
    }
    inverse
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
            unbyte: byte_level_inverse(),
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

    /// The bytes token `id` stands for (a control token: its own text), as [`Tokenizer::decode`] would
    /// give them: a token may hold part of a UTF-8 character, so text is made from several.
    pub fn token_bytes(&self, id: u32) -> Vec<u8> {
        let Some(s) = self.token_str(id) else { return Vec::new() };
        let mut out = Vec::with_capacity(s.len());
        for c in s.chars() {
            match self.unbyte.get(c as usize).copied().flatten() {
                Some(b) => out.push(b),
                None => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        out
    }
}

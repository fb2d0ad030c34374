//! The pack's wasm-bindgen boundary: one exported type, [`TomePack`], that the widget's worker
//! drives. It is all the lean build (`--no-default-features`) exports.
//!
//! In: the manifest's bytes, then file contents (already gunzipped by the browser's
//! DecompressionStream), queries and questions. Out: the names of the files a query needs next,
//! and plain data (hits, answers with URLs). Errors become `JsError` with the library's message.

use super::read::PackReader;

#[cfg(target_family = "wasm")]
use wasm_bindgen::prelude::*;

#[cfg_attr(target_family = "wasm", wasm_bindgen)]
pub struct TomePack {
    reader: PackReader,
}

/// What the widget shows before any query.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PackInfo {
    pub title: String,
    pub pages: usize,
    pub passages: usize,
    /// The outline file's name (fetched when the visitor opens the contents).
    pub outline: String,
    pub tome: String,
    /// The model the site offers, if any (the widget shows its size before any download).
    pub model: Option<super::PackModel>,
}

impl TomePack {
    pub fn open(manifest: &[u8]) -> Result<TomePack, super::PackError> {
        Ok(TomePack { reader: PackReader::open(manifest)? })
    }

    pub fn info(&self) -> PackInfo {
        let m = &self.reader.manifest;
        PackInfo {
            title: m.title.clone(),
            pages: m.pages,
            passages: m.passages,
            outline: m.outline.clone(),
            tome: m.tome.clone(),
            model: m.model.clone(),
        }
    }
}

#[cfg(target_family = "wasm")]
#[wasm_bindgen]
impl TomePack {
    /// Reads a pack's manifest; throws when it is not one, or of another format.
    #[wasm_bindgen(constructor)]
    pub fn js_new(manifest: &[u8]) -> Result<TomePack, JsError> {
        TomePack::open(manifest).map_err(|e| JsError::new(&e.to_string()))
    }

    #[wasm_bindgen(js_name = info)]
    pub fn js_info(&self) -> Result<JsValue, JsError> {
        to_js(&self.info())
    }

    /// The files `query` needs next (empty: it can be answered now).
    #[wasm_bindgen(js_name = needs)]
    pub fn js_needs(&self, query: &str, k: usize, prefix: bool, answer: bool) -> Vec<String> {
        self.reader.needs(query, k, prefix, answer)
    }

    /// Adds a file's (gunzipped) content; throws when it is damaged or not this pack's.
    #[wasm_bindgen(js_name = add)]
    pub fn js_add(&mut self, name: &str, content: &[u8]) -> Result<(), JsError> {
        self.reader.add(name, content).map_err(|e| JsError::new(&e.to_string()))
    }

    #[wasm_bindgen(js_name = search)]
    pub fn js_search(&self, query: &str, k: usize, prefix: bool) -> Result<JsValue, JsError> {
        let hits = self.reader.search(query, k, prefix).map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&hits)
    }

    /// The passages a question's answer is read from (after `needs` came back empty for it):
    /// what the model reads when the visitor chooses it.
    #[wasm_bindgen(js_name = passages)]
    pub fn js_passages(&self, question: &str) -> Result<JsValue, JsError> {
        to_js(&self.reader.passages(question).map_err(|e| JsError::new(&e.to_string()))?)
    }

    #[wasm_bindgen(js_name = ask)]
    pub fn js_ask(&self, question: &str) -> Result<JsValue, JsError> {
        let answer = self.reader.ask(question).map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&answer)
    }
}

#[cfg(target_family = "wasm")]
fn to_js(value: &impl serde::Serialize) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

//! The reader prompt's opening read once and shared ([`SharedPrefix`]) changes nothing in the
//! answers: on real reading prompts, the greedy ids of a generation that starts from a copy of the
//! opening's KV and prefills the rest in the page's chunks equal those of one that prefills the whole
//! prompt at once; and the page's reading (web::reading, which shares the opening) streams the same
//! text. Needs the model: scripts/fetch-model.sh.

use std::path::PathBuf;

use tome::model::generate::Generator;
use tome::model::{GenerateOptions, Llama, Sampler, SharedPrefix, generate};
use tome::qa::read::{self, Style};
use tome::web::reading;
use tome::{Document, Index, Outline};

fn root(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

const MODEL: &str = "assets/SmolLM2-135M-Instruct.Q4_1.gguf";
const NEW_TOKENS: usize = 24;

/// Questions a reader of the bundled R manual might ask (written for this test).
const QUESTIONS: [&str; 3] =
    ["How do I make a vector of numbers?", "What does a matrix hold?", "How is a plot drawn on the screen?"];

fn sample() -> (Document, Index) {
    let bytes = std::fs::read(root("assets/sample/R-intro.pdf")).expect("the bundled sample");
    let doc = Document::from_bytes("R-intro.pdf", &bytes).expect("the sample opens");
    let index = Index::build(&doc, &Outline::build(&doc, false));
    (doc, index)
}

/// Greedy ids after the whole prompt prefilled in one forward, in a fresh session.
fn whole(model: &Llama, prompt: &[u32]) -> Vec<u32> {
    let mut session = model.session(prompt.len() + NEW_TOKENS + 1);
    let mut opts = GenerateOptions { max_new_tokens: NEW_TOKENS, ..Default::default() };
    generate(model, &mut session, prompt, &mut opts, &mut |_, _| true).expect("generates").ids
}

/// Greedy ids from a copy of the opening's KV, the rest prefilled in the page's chunks.
fn shared(model: &Llama, opening: &SharedPrefix, prompt: &[u32]) -> (Vec<u32>, usize) {
    let n_ctx = prompt.len() + NEW_TOKENS + 1;
    let (mut session, held) = opening.session(model, prompt, n_ctx);
    let tok = &model.tokenizer;
    let mut g =
        Generator::new(tok, prompt.to_vec(), Sampler::greedy(), NEW_TOKENS, n_ctx, reading::PREFILL_CHUNK);
    g.held(held);
    loop {
        let feed = g.next(tok).expect("next");
        if feed.is_empty() {
            return (g.ids().to_vec(), held);
        }
        let logits = model.forward(&mut session, &feed).expect("forward");
        g.fed(feed.len(), logits);
    }
}

#[test]
fn answers_from_the_shared_opening_equal_answers_from_a_whole_prefill() {
    let model = Llama::open(&root(MODEL), 2).expect("the model; run scripts/fetch-model.sh");
    let tok = &model.tokenizer;
    let opening_ids = tok.encode(&read::opening(Style::Sentences)).expect("tokenizes");
    let opening = SharedPrefix::new(&model, opening_ids.clone()).expect("reads the opening");
    let (doc, index) = sample();
    for q in QUESTIONS {
        let found = tome::qa::retrieve::run(&doc, &index, q, reading::READ_K);
        let p = read::for_question(&doc, &index, q, (&found, reading::READ_K), Style::Sentences, tok);
        let prompt = tok.encode(&p.text).expect("tokenizes");
        let want = whole(&model, &prompt);
        let (got, held) = shared(&model, &opening, &prompt);
        // The whole opening is reused: no token merges across its end.
        assert_eq!(held, opening_ids.len(), "{q}");
        assert_eq!(&prompt[..held], opening.ids(), "{q}");
        assert!(want.len() >= 4, "{q}: the model answers: {want:?}");
        assert_eq!(got, want, "{q}: greedy ids with the shared opening");
    }

    // A prompt that is the opening or less still feeds its last token itself.
    assert_eq!(opening.reusable(&opening_ids), opening_ids.len() - 1);
    assert_eq!(opening.reusable(&opening_ids[..3]), 2);
    assert_eq!(opening.reusable(&[]), 0);
}

#[test]
fn the_page_reading_streams_the_whole_prefill_answer() {
    let bytes = std::fs::read(root(MODEL)).expect("the model; run scripts/fetch-model.sh");
    reading::load(bytes, 2).expect("loads");
    let model = Llama::open(&root(MODEL), 1).expect("the model");
    let (doc, index) = sample();
    let q = QUESTIONS[0];
    let (text, _) = reading::prompt(&doc, &index, q, &model.tokenizer);
    let prompt = model.tokenizer.encode(&text).expect("tokenizes");
    let want = model.tokenizer.decode(&whole(&model, &prompt)).expect("decodes");
    reading::start(&doc, &index, q).expect("starts");
    let mut got = String::new();
    let first = reading::step().expect("a step");
    assert_eq!(first.prefilled, reading::opening_tokens(&prompt) + reading::PREFILL_CHUNK);
    loop {
        let s = reading::step().expect("a step");
        got.push_str(&s.piece);
        if s.done || s.generated >= NEW_TOKENS {
            break;
        }
    }
    assert_eq!(got, want.trim_end_matches('\u{FFFD}'));
}

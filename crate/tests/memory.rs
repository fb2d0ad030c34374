//! The memory (model/memory): its file (round trip; damaged, cut-off, unfinished and other-model files
//! rejected with their own errors), a window kept whole re-assembling to the cache it came from,
//! assembled positions bounded by the room, and a resumed reading equal to an uninterrupted one.
//! The model tests need the model: scripts/fetch-model.sh.

mod common;

use std::path::PathBuf;

use tome::cpu::check::Rng;
use tome::model::Llama;
use tome::model::generate::Forward;
use tome::model::memory::assemble::{MemoryForward, assemble};
use tome::model::memory::book::{ReadOptions, part_path, read_document};
use tome::model::memory::file::{self, MemoryError};
use tome::model::memory::read::WindowReader;
use tome::model::memory::windows::Window;
use tome::model::memory::{Memory, Rule, Settings, Shape, WindowMemory};
use tome::span::Span;

fn model() -> Llama {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(p.exists(), "model missing at {}: run scripts/fetch-model.sh first", p.display());
    Llama::open(&p, 2).expect("model loads")
}

/// An invented story of a few hundred tokens, in paragraphs.
fn story() -> String {
    let lines = [
        "The lighthouse keeper of Varn kept a ledger of every ship that passed the northern rocks.",
        "In the spring of the flood year, a barge named the Copper Heron ran aground near the mill.",
        "Her captain, a tall woman called Idris Maal, traded salt for lamp oil with the keeper.",
        "The keeper's nephew Tobin painted the tower white and red each autumn, and hated the smell.",
        "When the fog came down for nine days, the ledger stayed empty and the lamp burned blue.",
        "On the tenth day a letter arrived, sealed in green wax, asking for the ledger's oldest page.",
    ];
    let mut text = String::new();
    for round in 0..4 {
        for (i, l) in lines.iter().enumerate() {
            text.push_str(&format!("{l} (Entry {}.)", round * 6 + i + 1));
            text.push_str(if i % 2 == 1 { "\n\n" } else { " " });
        }
    }
    text
}

fn random_memory(seed: u32, windows: usize) -> Memory {
    let mut rng = Rng::new(seed);
    let shape = Shape { n_layer: 2, n_kv_head: 3, head_dim: 8 };
    let mut ws = Vec::new();
    for w in 0..windows {
        let (tokens, keep) = (40, 10);
        let runs = shape.n_layer * shape.n_kv_head * keep;
        ws.push(WindowMemory {
            span: Span::new(w * 100, w * 100 + 90),
            tokens,
            keep,
            pos: (0..runs).map(|i| (i % tokens) as u32).collect(),
            score: (0..runs).map(|_| rng.f().abs()).collect(),
            k: (0..runs * 8).map(|_| rng.next_u64() as u16).collect(),
            v: (0..runs * 8).map(|_| rng.next_u64() as u16).collect(),
        });
    }
    Memory {
        model_sha256: [7; 32],
        doc_sha256: [9; 32],
        shape,
        settings: Settings { rule: Rule::Pool, ratio: 4, window: 64 },
        doc_name: "story.txt".into(),
        doc_bytes: "An invented document. ".repeat(20).into_bytes(),
        windows: ws,
    }
}

#[test]
fn the_file_round_trips_and_damage_is_named() {
    let m = random_memory(1, 3);
    let bytes = file::to_bytes(&m);
    assert_eq!(file::load("m.tome", &bytes, &[7; 32]).expect("loads"), m);

    // Another model's file.
    assert!(matches!(file::load("m.tome", &bytes, &[8; 32]), Err(MemoryError::OtherModel { .. })));
    // Not a memory file at all, and another format version.
    assert!(matches!(file::load("m.tome", b"%PDF-1.7 hello", &[7; 32]), Err(MemoryError::NotAMemory(_))));
    let mut v2 = bytes.clone();
    v2[8] = 2;
    assert!(matches!(file::load("m.tome", &v2, &[7; 32]), Err(MemoryError::Version { found: 2, .. })));
    // One flipped bit anywhere: a clear error, never a memory (in the header: damaged; in a window: damaged).
    for at in [14, 40, 120, bytes.len() / 2, bytes.len() - 30] {
        let mut bad = bytes.clone();
        bad[at] ^= 0x10;
        let err = file::load("m.tome", &bad, &[7; 32]).expect_err("a flipped bit is caught");
        assert!(matches!(err, MemoryError::Damaged { .. }), "byte {at}: {err}");
    }
    // Cut off anywhere after the header: damaged or unfinished, never a shorter memory.
    for cut in [20, 200, bytes.len() / 2, bytes.len() - 1] {
        let err = file::load("m.tome", &bytes[..cut], &[7; 32]).expect_err("a cut file is caught");
        assert!(
            matches!(err, MemoryError::Damaged { .. } | MemoryError::Unfinished { .. }),
            "cut {cut}: {err}"
        );
    }
    // Whole windows but no closing record: an unfinished reading, which says how to finish it.
    let head = file::head_bytes(&file::Head {
        model_sha256: m.model_sha256,
        doc_sha256: m.doc_sha256,
        shape: m.shape,
        settings: m.settings,
        planned: 3,
        doc_name: &m.doc_name,
        doc_bytes: &m.doc_bytes,
    });
    let mut part = head.clone();
    part.extend(file::window_bytes(&m.windows[0]));
    let err = file::load("m.tome", &part, &[7; 32]).expect_err("unfinished");
    assert!(matches!(err, MemoryError::Unfinished { done: 1, planned: 3, .. }), "{err}");
    assert!(err.to_string().contains("tome read"));
}

#[test]
fn a_window_kept_whole_reassembles_to_the_cache_it_came_from() {
    let m = model();
    let text = story();
    let ids = m.tokenizer.encode(&text).expect("tokenize");
    let tokens = ids[..120].to_vec();
    let window = Window { span: Span::new(0, text.len()), tokens: tokens.clone() };
    let settings = Settings { rule: Rule::Keep, ratio: 1, window: 128 };
    let wm = WindowReader::new(&m, settings).expect("reader").read(&m, &window).expect("read");
    assert_eq!(wm.keep, 120);
    let mem = Memory {
        model_sha256: [0; 32],
        doc_sha256: [0; 32],
        shape: Shape::of(&m.cfg),
        settings,
        doc_name: "story.txt".into(),
        doc_bytes: text.as_bytes().to_vec(),
        windows: vec![wm],
    };
    let question = m.tokenizer.encode(" Who traded salt for lamp oil?").expect("tokenize");

    let mut plain = m.session(512);
    m.forward(&mut plain, &tokens).expect("forward");
    let want = m.forward(&mut plain, &question).expect("forward").to_vec();

    let mut s = m.session(512);
    let prefix = assemble(&m, &mem, &[], &mut s, 400).expect("assemble");
    assert_eq!(prefix, 120);
    for l in [0, 15, 29] {
        for p in [0, 1, 60, 119] {
            let at = s.kv.at(l, p);
            let kd = m.cfg.kv_dim();
            for i in 0..kd {
                let (a, b) = (
                    tome::cpu::f16::f16_to_f32(s.kv.k[at + i]),
                    tome::cpu::f16::f16_to_f32(plain.kv.k[at + i]),
                );
                assert!((a - b).abs() <= 0.01 * b.abs().max(1.0), "key l{l} p{p} i{i}: {a} vs {b}");
            }
            assert_eq!(s.kv.v[at..at + kd], plain.kv.v[at..at + kd]);
        }
    }
    let got = m.forward(&mut s, &question).expect("forward").to_vec();
    // Keys pass through two more f16 roundings (stored un-rotated, rotated again): measured 0.997.
    let cos = common::cosine(&got, &want);
    assert!(cos > 0.99, "cosine {cos}");
    assert_eq!(common::top(&got, 1), common::top(&want, 1));
}

fn read_story(m: &Llama, out: &std::path::Path, stop_after: Option<usize>) -> bool {
    let text = story();
    let opts = ReadOptions { rule: Rule::Keep, ratio: Some(4), budget: 1 << 30, window: 96 };
    let mut read_now = 0;
    read_document(m, [3; 32], ("story.txt", text.as_bytes()), out, opts, &mut |_| {
        read_now += 1;
        stop_after.is_none_or(|n| read_now < n)
    })
    .expect("reads")
}

#[test]
fn assembled_positions_stay_within_the_room_and_the_trained_context() {
    let m = model();
    let dir = std::env::temp_dir().join(format!("tome-memory-room-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let out = dir.join("story.tome");
    assert!(read_story(&m, &out, None));
    let mem = file::load("story.tome", &std::fs::read(&out).expect("file"), &[3; 32]).expect("loads");
    assert!(mem.windows.len() >= 3, "{} windows", mem.windows.len());
    let total: usize = mem.windows.iter().map(|w| w.keep).sum();
    assert_eq!(mem.tokens(), mem.windows.iter().map(|w| w.tokens).sum::<usize>());

    let sink = m.tokenizer.encode("The lighthouse").expect("tokenize");
    let mut s = m.session(usize::MAX);
    assert_eq!(s.n_ctx(), m.cfg.n_ctx_train);
    for room in [0, 7, total / 2, total, 10 * total, usize::MAX] {
        let prefix = assemble(&m, &mem, &sink, &mut s, room).expect("assemble");
        assert_eq!(prefix, sink.len() + total.min(room), "room {room}");
        assert!(prefix <= m.cfg.n_ctx_train);
        let f = MemoryForward { model: &m, session: &mut s, prefix };
        assert_eq!(f.len(), 0);
        assert_eq!(f.n_ctx() + prefix, m.cfg.n_ctx_train);
    }
    // The highest-scoring entries are the ones a small room keeps, in document order.
    let chosen = tome::model::memory::assemble::choose(&mem, 7);
    assert!(chosen.iter().all(|c| c.len() == 7 && c.windows(2).all(|p| p[0] < p[1])));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_resumed_reading_equals_an_uninterrupted_one() {
    let m = model();
    let dir = std::env::temp_dir().join(format!("tome-memory-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (whole, resumed) = (dir.join("whole.tome"), dir.join("resumed.tome"));
    assert!(read_story(&m, &whole, None));
    assert!(!read_story(&m, &resumed, Some(2)), "stopped after two windows");
    assert!(!resumed.exists(), "a stopped reading leaves no file that looks whole");
    // A write torn by a crash: half a record at the end of the .part file.
    let part = part_path(&resumed);
    let mut bytes = std::fs::read(&part).expect("part");
    bytes.extend_from_slice(b"WIND\x40\x00\x00\x00\x00\x00\x00\x00half a rec");
    std::fs::write(&part, &bytes).expect("write");
    assert!(read_story(&m, &resumed, None));
    assert!(!part.exists());
    assert_eq!(std::fs::read(&whole).expect("whole"), std::fs::read(&resumed).expect("resumed"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_document_too_long_for_the_budget_is_refused_in_words() {
    let m = model();
    let text = story();
    let doc = tome::Document::from_bytes("story.txt", text.as_bytes()).expect("the story opens");
    let opts = ReadOptions { rule: Rule::Keep, ratio: None, budget: 1024, window: 96 };
    let planned =
        tome::model::memory::plan::Plan::new(&m, [3; 32], &doc, ("story.txt", text.as_bytes()), opts);
    let e = planned.err().expect("1 KB holds no memory of it").to_string();
    assert!(e.contains("story.txt") && e.contains("do not fit") && e.contains("--budget-mb"), "{e}");
}

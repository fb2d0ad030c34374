//! Novels and needle documents: chapter headings against the ground truth in shared/eval.

use std::path::PathBuf;

use serde_json::Value;
use tome::{Document, Outline, OutlineSource};

fn eval_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval")
}

/// (title, level, code point offset) of every outline node, pre-order.
fn detected(doc: &Document) -> Vec<(String, u32, usize)> {
    let outline = Outline::build(doc, false);
    assert_eq!(outline.source, OutlineSource::Detected, "{}", doc.name);
    outline
        .flatten()
        .into_iter()
        .map(|(n, _)| (n.title.clone(), n.level, doc.char_offset(n.span.start)))
        .collect()
}

fn f1(found: &[(String, u32, usize)], truth: &[(String, u32, usize)]) -> f64 {
    let norm = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let hits = found
        .iter()
        .filter(|(t, l, o)| truth.iter().any(|(tt, tl, to)| norm(t) == norm(tt) && l == tl && o == to))
        .count() as f64;
    if hits == 0.0 {
        return 0.0;
    }
    let (p, r) = (hits / found.len() as f64, hits / truth.len() as f64);
    2.0 * p * r / (p + r)
}

#[test]
fn novels_chapter_f1_is_one() {
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(eval_dir().join("outlines.json")).unwrap()).unwrap();
    let mut novels = 0;
    for (path, entry) in truth.as_object().unwrap() {
        if entry.get("pages").is_some() {
            continue;
        }
        novels += 1;
        let want: Vec<(String, u32, usize)> = entry["outline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["title"].as_str().unwrap().to_string(),
                    h["level"].as_u64().unwrap() as u32,
                    h["offset"].as_u64().unwrap() as usize,
                )
            })
            .collect();
        let doc = Document::open(&eval_dir().join(path)).unwrap();
        let got = detected(&doc);
        assert_eq!(f1(&got, &want), 1.0, "{path}: got {got:?}");
    }
    assert!(novels >= 4);
}

#[test]
fn needle_documents_keep_their_novels_chapters() {
    let dir = eval_dir().join("docs/needle");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let doc = Document::open(&path).unwrap();
        let novel = path.file_name().unwrap().to_str().unwrap().rsplit('-').next().unwrap().to_string();
        let original = Document::open(&eval_dir().join("docs/novels").join(&novel)).unwrap();
        let titles = |d: &Document| detected(d).into_iter().map(|(t, l, _)| (t, l)).collect::<Vec<_>>();
        assert_eq!(titles(&doc), titles(&original), "{}", path.display());
    }
}

#[test]
fn emma_volumes_hold_their_chapters() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/emma.txt");
    let doc = Document::open(&path).unwrap();
    let outline = Outline::build(&doc, false);
    let volumes: Vec<&str> = outline.nodes.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(volumes, ["VOLUME I", "VOLUME II", "VOLUME III"]);
    let chapters: Vec<usize> = outline.nodes.iter().map(|n| n.children.len()).collect();
    let total: usize = chapters.iter().sum();
    // Each volume restarts at CHAPTER I; every chapter line of the file is found, once.
    let in_file = doc.text.lines().filter(|l| l.starts_with("CHAPTER ")).count();
    assert_eq!(total, in_file);
    for volume in &outline.nodes {
        assert_eq!(volume.level, 1);
        assert_eq!(volume.children[0].title, "CHAPTER I");
        assert!(volume.children.iter().all(|c| c.level == 2 && c.children.is_empty()));
    }
}

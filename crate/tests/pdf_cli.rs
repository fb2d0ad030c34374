//! The outline commands of the `tome` binary on real PDFs: `tome outline`, `tome eval outlines`,
//! `tome bench ingest`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn eval_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval")
}

fn tome(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tome")).args(args).output().expect("run tome");
    assert!(out.status.success(), "tome {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn outline_json_from_bookmarks_and_detected() {
    let file = eval_dir().join("docs/pdf/acmart-sample-sigconf.pdf");
    let file = file.to_str().expect("utf-8 path");
    let out = tome(&["outline", file, "--json"]);
    assert_eq!(out["pages"], 6);
    assert_eq!(out["source"], "bookmarks");
    let nodes = out["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 29);
    assert_eq!(nodes[1]["title"], "1 Introduction");
    assert_eq!(nodes[1]["level"], 1);
    // Pre-order with code point spans that start in order and nest.
    let mut last = 0;
    for n in nodes {
        let (start, end) = (n["start"].as_u64().expect("start"), n["end"].as_u64().expect("end"));
        assert!(start <= end && start >= last, "{n}");
        last = start;
    }
    let detected = tome(&["outline", file, "--json", "--ignore-bookmarks"]);
    assert_eq!(detected["source"], "detected");
    let titles: Vec<&str> =
        detected["nodes"].as_array().expect("nodes").iter().filter_map(|n| n["title"].as_str()).collect();
    assert!(titles.contains(&"2 TEMPLATE OVERVIEW") && titles.contains(&"2.1 Template Styles"), "{titles:?}");
}

#[test]
fn outline_human_output_indents_levels() {
    let file = eval_dir().join("docs/pdf/acmart-sample-sigconf.pdf");
    let out = Command::new(env!("CARGO_BIN_EXE_tome")).arg("outline").arg(&file).output().expect("run tome");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("outline from bookmarks"), "{text}");
    assert!(text.contains("\n  2.1 Template Styles  (p. 2)"), "{text}");
}

#[test]
fn eval_outlines_scores_each_document() {
    // A directory holding the real documents and an outlines.json with two of them.
    let dir = std::env::temp_dir().join(format!("tome-eval-outlines-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let truth: Value =
        serde_json::from_slice(&std::fs::read(eval_dir().join("outlines.json")).expect("outlines.json"))
            .expect("json");
    let mut subset = serde_json::Map::new();
    for name in ["docs/pdf/acmart-sample-sigconf.pdf", "docs/pdf/ocrmypdf-linn-2col-scan.pdf"] {
        subset.insert(name.to_string(), truth[name].clone());
    }
    std::fs::write(dir.join("outlines.json"), Value::Object(subset).to_string()).expect("write");
    let docs = dir.join("docs");
    if !docs.exists() {
        std::os::unix::fs::symlink(eval_dir().join("docs"), &docs).expect("symlink docs");
    }
    let out = tome(&["eval", "outlines", dir.to_str().expect("utf-8")]);
    // Removes the link to the documents, not the documents.
    let _ = std::fs::remove_dir_all(&dir);
    let documents = out["documents"].as_array().expect("documents");
    assert_eq!(documents.len(), 2);
    let acmart = &documents[0];
    assert_eq!(acmart["bookmarks_exact"], true);
    assert!(acmart["detected"]["f1"].as_f64().expect("f1") > 0.5, "{acmart}");
    assert!(documents[1]["error"].as_str().expect("error").contains("no text layer"));
    assert_eq!(out["overall"]["all_bookmarks_exact"], true);
}

#[test]
fn bench_ingest_reports_times_and_memory() {
    let file = eval_dir().join("docs/pdf/acmart-sample-sigconf.pdf");
    let out = tome(&["bench", "ingest", file.to_str().expect("utf-8"), "--runs", "1"]);
    assert_eq!(out["pages"], 6);
    assert!(out["chars"].as_u64().expect("chars") > 20_000);
    assert!(out["seconds"].as_f64().expect("seconds") > 0.0);
    assert!(
        out["pdftotext_seconds"].as_f64().is_some(),
        "pdftotext (poppler-utils) should be installed: {out}"
    );
    assert!(out["peak_rss_mb"].as_f64().expect("peak") > 1.0);
}

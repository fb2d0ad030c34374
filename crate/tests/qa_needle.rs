//! Needle QA on shared/eval/qa.jsonl: retrieval and citation floors, and the `ask` / `search` CLI.

use std::path::PathBuf;
use std::process::Command;

use tome::eval::qa;

fn eval_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval")
}

#[test]
fn needle_qa_meets_retrieval_and_citation_floors() {
    let report = qa::run(&eval_dir().join("qa.jsonl"), None, false).unwrap();
    assert!(report.n >= 100, "{report:?}");
    // Measured 2026-12-06: hit@5 0.976, citation precision 0.966, answer rate 0.896, EM 0.201,
    // F1 0.260, abstention 0.357.
    assert!(report.hit_at_5 >= 0.95, "{report:?}");
    assert!(report.citation_precision.unwrap_or(0.0) >= 0.95, "{report:?}");
    // The answerer must actually answer most answerable questions, not abstain its way to precision.
    assert!(report.answer_rate >= 0.85, "{report:?}");
    // Short answers, not whole sentences, and abstention on some unanswerable questions.
    assert!(report.em >= 0.18 && report.f1 >= 0.24, "{report:?}");
    assert!(report.abstain_accuracy.unwrap_or(0.0) >= 0.35, "{report:?}");
}

#[test]
fn ask_prints_the_short_answer_then_the_marked_quote_and_its_section() {
    let path = eval_dir().join("docs/novels/persuasion.txt");
    let out = tome(&["ask", path.to_str().unwrap(), "Where did Louisa fall?"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("Cobb"), "{text}");
    assert!(text.contains("[Cobb]"), "{text}");
    assert!(text.contains("\u{2014} Chapter"), "{text}");
    // A text file has no pages worth naming.
    assert!(!text.contains("p. 1"), "{text}");
}

fn tome(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tome")).args(args).output().unwrap()
}

#[test]
fn ask_json_cites_code_point_spans_that_hold_the_answer() {
    // The one non-ASCII needle document: offsets must be code points, as in qa.jsonl.
    let items = qa::load(&eval_dir().join("qa.jsonl"), None).unwrap();
    let item = items.iter().find(|q| q.doc.contains("prideprejudice") && q.answerable).unwrap();
    let path = eval_dir().join(&item.doc);
    let out = tome(&["ask", path.to_str().unwrap(), &item.question, "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["found"], true, "{v}");
    let text: Vec<char> = std::fs::read_to_string(&path).unwrap().chars().collect();
    let citations = v["citations"].as_array().unwrap();
    assert!(!citations.is_empty());
    // The short answer is a span of the text inside a cited sentence.
    let answer = v["answer"].as_str().unwrap();
    if let Some(span) = v["answer_span"].as_array() {
        let (s, e) = (span[0].as_u64().unwrap() as usize, span[1].as_u64().unwrap() as usize);
        let marked: String = text[s..e].iter().collect();
        assert_eq!(marked.split_whitespace().collect::<Vec<_>>().join(" "), answer);
        assert!(
            citations
                .iter()
                .any(|c| c["start"].as_u64().unwrap() as usize <= s
                    && e <= c["end"].as_u64().unwrap() as usize)
        );
    }
    for c in citations {
        let (start, end) = (c["start"].as_u64().unwrap() as usize, c["end"].as_u64().unwrap() as usize);
        let cited: String = text[start..end].iter().collect();
        // The cited characters are the quote's own words.
        assert!(v["quote"].as_str().unwrap().contains(cited.split_whitespace().next().unwrap()), "{cited}");
        assert!(start < item.evidence.end && item.evidence.start < end, "citation outside the evidence");
        assert!(c["page"].as_u64().unwrap() >= 1);
        assert!(c["path"].is_array());
    }
}

#[test]
fn ask_says_not_found_without_citation_for_an_unrelated_question() {
    let path = eval_dir().join("docs/novels/persuasion.txt");
    let out =
        tome(&["ask", path.to_str().unwrap(), "What is the boiling point of liquid nitrogen?", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["found"], false);
    assert_eq!(v["answer"], tome::qa::NOT_FOUND);
    assert_eq!(v["citations"].as_array().unwrap().len(), 0);
}

#[test]
fn search_cli_returns_k_hits_with_highlight_spans() {
    let path = eval_dir().join("docs/novels/prideprejudice.txt");
    let out = tome(&["search", path.to_str().unwrap(), "Netherfield ball", "-k", "3", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3);
    let text: Vec<char> = std::fs::read_to_string(&path).unwrap().chars().collect();
    for hit in hits {
        for m in hit["matches"].as_array().unwrap() {
            let word: String =
                text[m[0].as_u64().unwrap() as usize..m[1].as_u64().unwrap() as usize].iter().collect();
            assert!(["netherfield", "ball", "balls"].contains(&word.to_lowercase().as_str()), "{word}");
        }
    }
    let human = tome(&["search", path.to_str().unwrap(), "Netherfield ball"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("[Netherfield]"));
}

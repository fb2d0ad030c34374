//! Needle QA on shared/eval/qa.jsonl: retrieval and citation floors, and the `ask` / `search` CLI.

use std::path::PathBuf;
use std::process::Command;

use tome::eval::qa;

fn eval_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval")
}

#[test]
fn needle_qa_meets_retrieval_and_citation_floors() {
    let report = qa::run(&eval_dir().join("qa.jsonl"), None).unwrap();
    assert!(report.n >= 100, "{report:?}");
    assert!(report.hit_at_5 >= 0.9, "{report:?}");
    assert!(report.citation_precision.unwrap_or(0.0) >= 0.9, "{report:?}");
    // The answerer must actually answer most answerable questions, not abstain its way to precision.
    assert!(report.answer_rate >= 0.6, "{report:?}");
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
    for c in citations {
        let (start, end) = (c["start"].as_u64().unwrap() as usize, c["end"].as_u64().unwrap() as usize);
        let cited: String = text[start..end].iter().collect();
        // The cited characters are the answer's own words.
        assert!(v["answer"].as_str().unwrap().contains(cited.split_whitespace().next().unwrap()), "{cited}");
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

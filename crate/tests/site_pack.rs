//! Sites and packs end to end on the CLI's path: a real mdBook site (the Rust book from the
//! toolchain's docs) and small invented sites with hostile pages are read, packed, and asked
//! through `DirPack`, which reads only the shards a question needs.

use std::path::{Path, PathBuf};

use tome::doc::html::{Limits, read_site};
use tome::pack::read::DirPack;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tome-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rust_book() -> PathBuf {
    let out = std::process::Command::new("rustc").args(["--print", "sysroot"]).output().unwrap();
    let book = Path::new(String::from_utf8(out.stdout).unwrap().trim()).join("share/doc/rust/html/book");
    assert!(
        book.join("index.html").is_file(),
        "{} is missing: run scripts/setup.sh (rust-docs)",
        book.display()
    );
    book
}

/// An HTML page whose main content is `body`.
fn page(title: &str, body: &str) -> String {
    format!("<html><head><title>{title}</title></head><body><main>{body}</main></body></html>")
}

fn pack(site: &Path, out: &Path) -> tome::pack::write::PackStats {
    let read = read_site(site, Limits::default()).unwrap();
    tome::pack::write::write(&read, out, &mut |_, _, _| {}).unwrap()
}

/// Writes the pages of an invented site.
fn write_pages(site: &Path, pages: &[(&str, String)]) {
    for (name, html) in pages {
        std::fs::write(site.join(name), html).unwrap();
    }
}

/// Packs `site` into `site/tome` and asks `question` there: the answer must be found; its first
/// citation's URL.
fn first_citation(site: &Path, question: &str) -> String {
    let out = site.join("tome");
    pack(site, &out);
    let answer = DirPack::open(&out).unwrap().ask(question).unwrap();
    assert!(answer.found, "{answer:?}");
    answer.citations[0].url.clone()
}

#[test]
fn the_rust_book_packs_and_answers_from_a_few_shards() {
    let out = temp("book-pack");
    let t0 = std::time::Instant::now();
    let stats = pack(&rust_book(), &out);
    eprintln!(
        "Rust book: {} pages packed in {:.1} s, {} bytes",
        stats.pages,
        t0.elapsed().as_secs_f64(),
        stats.bytes
    );
    assert!(stats.pages > 100 && stats.index_shards > 4 && stats.text_shards > 50, "{stats:?}");

    let mut pack = DirPack::open(&out).unwrap();
    let answer = pack.ask("How do I create a new, empty vector?").unwrap();
    let first = &answer.citations.first().expect("a citation").url;
    assert!(first.starts_with("ch08-01-vectors.html#creating-a-new-vector:~:text="), "{first}");
    // A question reads the manifest, its words' index shards and one page's text: a small part.
    assert!(pack.bytes_read * 4 < stats.bytes, "read {} of {}", pack.bytes_read, stats.bytes);
    let hits = pack.search("hash map entry", 5).unwrap();
    assert!(hits.iter().any(|h| h.url.starts_with("ch08-03-hash-maps.html")), "{hits:?}");
    // The print-everything page and the index.html copy of the first chapter do not shadow it.
    assert!(hits.iter().all(|h| !h.url.starts_with("print.html") && !h.url.starts_with("index.html")));
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_pack_of_another_version_or_with_a_damaged_shard_says_so() {
    let site = temp("tiny-site");
    std::fs::write(
        site.join("index.html"),
        "<html><head><title>Knots - Guide</title></head><body><main><h1 id=\"knots\">Knots</h1>\
         <p>The bowline makes a fixed loop at the end of a line.</p>\
         <h2 id=\"hitches\">Hitches</h2><p>A clove hitch holds a line to a post.</p></main></body></html>",
    )
    .unwrap();
    // A legacy page in Windows-1252.
    std::fs::write(
        site.join("cafe.html"),
        b"<main><h1>Caf\xe9</h1><p>The caf\xe9 by the harbour sells tea.</p></main>",
    )
    .unwrap();
    let out = site.join("tome");
    pack(&site, &out);
    let mut pack_dir = DirPack::open(&out).unwrap();
    let a = pack_dir.ask("What holds a line to a post?").unwrap();
    assert_eq!(
        a.citations[0].url,
        "index.html#hitches:~:text=A%20clove%20hitch%20holds,line%20to%20a%20post."
    );
    let hits = pack_dir.search("café", 3).unwrap();
    assert_eq!(hits[0].url, "cafe.html");

    // A damaged shard: named by its content's hash, so any change is caught.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("tome-pack.json")).unwrap()).unwrap();
    let shard = manifest["text"][0][1].as_str().unwrap().to_string();
    let good = std::fs::read(out.join(&shard)).unwrap();
    std::fs::write(out.join(&shard), b"not gzip").unwrap();
    let err = DirPack::open(&out).unwrap().ask("What holds a line to a post?").unwrap_err().to_string();
    assert!(err.contains("damaged") && err.contains(&shard), "{err}");
    let mut other = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut other, b"TPT1 something else").unwrap();
    std::fs::write(out.join(&shard), other.finish().unwrap()).unwrap();
    let err = DirPack::open(&out).unwrap().ask("What holds a line to a post?").unwrap_err().to_string();
    assert!(err.contains("damaged") && err.contains("hashes to"), "{err}");
    std::fs::write(out.join(&shard), good).unwrap();

    // Another version's manifest.
    let mut old = manifest.clone();
    old["format"] = 0.into();
    old["tome"] = "0.0.1".into();
    std::fs::write(out.join("tome-pack.json"), serde_json::to_vec(&old).unwrap()).unwrap();
    let err = DirPack::open(&out).unwrap_err().to_string();
    assert!(
        err.contains("written by tome 0.0.1 in format 0") && err.contains("run `tome pack` again"),
        "{err}"
    );
    std::fs::write(out.join("tome-pack.json"), b"<html>404</html>").unwrap();
    assert!(DirPack::open(&out).unwrap_err().to_string().starts_with("this is not a tome pack"));
    std::fs::remove_dir_all(&site).unwrap();
}

#[test]
fn a_question_finds_the_page_that_spells_its_words_otherwise() {
    let site = temp("variant-site");
    std::fs::write(
        site.join("index.html"),
        page("Lamps", "<h1 id=\"lamps\">Lamps</h1><p>This guide covers oil lamps and their care.</p>"),
    )
    .unwrap();
    std::fs::write(
        site.join("bracket.html"),
        page(
            "Bracket",
            "<h1 id=\"bracket\">The wall bracket</h1><p>Installation takes ten minutes: drill two holes \
             and fix the bracket with the screws provided.</p>",
        ),
    )
    .unwrap();
    std::fs::write(
        site.join("oil.html"),
        page(
            "Oil",
            "<h1 id=\"oil\">Oil</h1><p>How long does the oil last? A full tank burns for a long evening.</p>",
        ),
    )
    .unwrap();
    let out = site.join("tome");
    pack(&site, &out);
    let mut pack_dir = DirPack::open(&out).unwrap();
    let question = "How long does installing take?";
    // "installing" is not on the site; "Installation" is, as one document's retrieval finds it.
    let answer = pack_dir.ask(question).unwrap();
    assert!(answer.found, "{answer:?}");
    assert!(answer.citations[0].url.starts_with("bracket.html#bracket:~:text="), "{answer:?}");
    // The model, when a visitor chooses it, reads the passages the answer came from.
    let passages = pack_dir.reader.passages(question).unwrap();
    assert!(
        !passages.is_empty() && passages.iter().all(|p| p.url.starts_with("bracket.html")),
        "{passages:?}"
    );
    std::fs::remove_dir_all(&site).unwrap();
}

#[test]
fn a_misspelt_word_finds_the_page_its_spelling_does() {
    let site = temp("typo-site");
    write_pages(
        &site,
        &[
            ("index.html", page("Lamps", "<h1 id=\"lamps\">Lamps</h1><p>This guide covers oil lamps.</p>")),
            (
                "wicks.html",
                page(
                    "Wicks",
                    "<h1 id=\"wicks\">Trimming wicks</h1><p>Cut the charred edge of the wick flat.</p>",
                ),
            ),
            (
                "chimney.html",
                page(
                    "Chimney",
                    "<h1 id=\"chimney\">The chimney</h1><p>Clean the glass chimney with warm water.</p>",
                ),
            ),
        ],
    );
    // "Trimimng" is on no page; one swap away, "Trimming" is.
    assert!(first_citation(&site, "How should I go about trimimng?").starts_with("wicks.html#wicks"));
    std::fs::remove_dir_all(&site).unwrap();
}

#[test]
fn the_page_holding_the_best_passage_answers_not_a_long_page_of_near_misses() {
    let site = temp("long-page-site");
    std::fs::write(
        site.join("index.html"),
        page("Kettle", "<h1 id=\"kettle\">Kettle</h1><p>This manual covers the electric kettle.</p>"),
    )
    .unwrap();
    std::fs::write(
        site.join("descaling.html"),
        page(
            "Descaling",
            "<h1 id=\"descaling\">Care</h1><h2 id=\"scale\">Tips</h2><p>To remove scale from \
             the heating plate, boil vinegar in it.</p><h2 id=\"cord\">The cord</h2><p>Wind \
             the cord under the base.</p>",
        ),
    )
    .unwrap();
    // A changelog: every release mentions the heating plate, its scale sensor and removing something.
    let mut releases = String::from("<h1 id=\"changes\">Changes</h1>");
    for v in 1..=12 {
        releases.push_str(&format!(
            "<h2 id=\"v{v}\">Release {v}.0</h2><p>Model {v} brings many changes to the body, the \
             lid hinge and the cord; the heating plate and its scale sensor were reworked, and the \
             filter is easier to remove for cleaning in model {v}.</p>"
        ));
    }
    std::fs::write(site.join("changes.html"), page("Changes", &releases)).unwrap();
    let out = site.join("tome");
    pack(&site, &out);
    let mut pack_dir = DirPack::open(&out).unwrap();
    let answer = pack_dir.ask("How do I remove scale from the heating plate?").unwrap();
    assert!(answer.found, "{answer:?}");
    assert!(answer.citations[0].url.starts_with("descaling.html#scale"), "{answer:?}");
    // The other pages read are listed under it ("see also"), never the cited page.
    assert!(!answer.see_also.is_empty() && answer.see_also.len() <= tome::qa::SEE_ALSO, "{answer:?}");
    assert!(answer.see_also.iter().all(|r| !r.url.starts_with("descaling.html")), "{answer:?}");
    std::fs::remove_dir_all(&site).unwrap();
}

#[test]
fn a_symbol_asked_for_by_its_name_finds_the_page_that_writes_it() {
    let site = temp("symbol-site");
    write_pages(
        &site,
        &[
            (
                "index.html",
                page(
                    "Shell",
                    "<h1 id=\"shell\">Shell</h1><p>This guide covers the plotter's command shell.</p>",
                ),
            ),
            (
                "help.html",
                page(
                    "Help",
                    "<h1 id=\"help\">Getting help</h1><h2 id=\"prefix\">The <code>?</code> prefix</h2><p>Type \
                     <code>?</code> before any command to print its options instead of running it.</p>",
                ),
            ),
            (
                "faq.html",
                page(
                    "FAQ",
                    "<h1 id=\"faq\">Questions</h1><p>Which command should I run first? Mark the origin with \
                     <code>home</code>, then run any command; a question not answered here goes to the forum.</p>",
                ),
            ),
        ],
    );
    let url = first_citation(&site, "What does a question mark before a command do?");
    assert!(url.starts_with("help.html#"), "{url}");
    std::fs::remove_dir_all(&site).unwrap();
}

#[test]
fn release_notes_answer_only_questions_about_releases() {
    let site = temp("release-notes-site");
    write_pages(
        &site,
        &[
            ("index.html", page("Garden", "<h1 id=\"garden\">Garden</h1><p>A guide to a small garden.</p>")),
            (
                "roses.html",
                page(
                    "Roses",
                    "<h1 id=\"roses\">Roses</h1><p>Roses flower best on young wood.</p>\
                     <h2 id=\"cutting-back\">Cutting back</h2><p>Once the leaves have fallen, take each cane \
                     back by a third, just above an outward-facing bud, with clean shears.</p>\
                     <p>Burn the cuttings: they carry black spot into the next season.</p>",
                ),
            ),
            (
                "changelog.html",
                page(
                    "Changelog",
                    "<h1 id=\"changelog\">Changelog</h1>\
                     <h2 id=\"v2-1-0\">2.1.0 (2024-03-01)</h2><p>New page: how to prune roses in winter.</p>\
                     <h2 id=\"v2-0-0\">2.0.0 (2023-10-12)</h2><p>The compost chapter was rewritten.</p>\
                     <h2 id=\"v1-1-0\">1.1.0 (2023-04-02)</h2><p>Fixed the watering table.</p>\
                     <h2 id=\"v1-0-0\">1.0.0 (2023-01-20)</h2><p>First release.</p>",
                ),
            ),
        ],
    );
    let url = first_citation(&site, "How do I prune roses in winter?");
    assert!(url.starts_with("roses.html"), "{url}");
    // A question about releases is answered from them.
    let out = site.join("tome");
    let answer = DirPack::open(&out).unwrap().ask("Which version added the page on pruning roses?").unwrap();
    assert!(answer.citations[0].url.starts_with("changelog.html"), "{answer:?}");
    std::fs::remove_dir_all(&site).unwrap();
}

#[test]
fn unstable_apis_answer_only_questions_about_them() {
    let site = temp("unstable-site");
    let item = |name: &str, body: &str| page(name, &format!("<h1 id=\"top\">{name}</h1>{body}"));
    write_pages(
        &site,
        &[
            ("index.html", page("Crate loom", "<h1 id=\"loom\">Crate loom</h1><p>Weaving in Rust.</p>")),
            (
                "fn.weave_fast.html",
                item(
                    "Function weave_fast",
                    "<p>🔬This is a nightly-only experimental API. (weave_fast #12)</p>\
                     <p>Weaves the warp threads tight, row by row.</p>",
                ),
            ),
            ("fn.weave.html", item("Function weave", "<p>Weaves the warp threads row by row.</p>")),
        ],
    );
    // The unstable page says one word more of the question, and still the stable one answers.
    let url = first_citation(&site, "How do I weave the warp threads tight?");
    assert!(url.starts_with("fn.weave.html"), "{url}");
    // A question about unstable APIs is answered from them.
    let url = first_citation(&site, "Is there an experimental way to weave warp threads tight?");
    assert!(url.starts_with("fn.weave_fast.html"), "{url}");
    std::fs::remove_dir_all(&site).unwrap();
}

#[test]
fn the_glossary_answers_what_a_term_means_and_the_manual_how_to_use_it() {
    let site = temp("glossary-site");
    write_pages(
        &site,
        &[
            ("index.html", page("Kiln docs", "<h1 id=\"kiln\">Kiln docs</h1><p>Firing pottery.</p>")),
            (
                "glossary.html",
                page(
                    "Glossary",
                    "<h1 id=\"glossary\">Glossary</h1><dl><dt id=\"term-bisque\">bisque</dt>\
                     <dd>A first firing that hardens raw glazed pots at a low temperature.</dd></dl>",
                ),
            ),
            (
                "firing.html",
                page(
                    "Firing",
                    "<h1 id=\"firing\">Firing</h1><p>Set the dial to a low temperature to harden raw pots.</p>",
                ),
            ),
        ],
    );
    // The glossary says one word more of the question, and still the manual's page answers.
    let url = first_citation(&site, "How do I harden raw glazed pots at a low temperature?");
    assert!(url.starts_with("firing.html"), "{url}");
    // What a term means is the glossary's.
    let url = first_citation(&site, "What is bisque?");
    assert!(url.starts_with("glossary.html"), "{url}");
    std::fs::remove_dir_all(&site).unwrap();
}

#[test]
fn deprecated_apis_answer_only_questions_about_them() {
    let site = temp("deprecated-site");
    let item = |name: &str, body: &str| page(name, &format!("<h1 id=\"top\">{name}</h1>{body}"));
    write_pages(
        &site,
        &[
            ("index.html", page("Kiln docs", "<h1 id=\"kiln\">Kiln docs</h1><p>Firing pottery.</p>")),
            (
                "bake_v1.html",
                item(
                    "bake_v1",
                    "<p>Deprecated since version 2.1: use bake instead.</p>\
                     <p>Fires the glazed pots at the given temperature.</p>",
                ),
            ),
            ("bake.html", item("bake", "<p>Fires the pots at the given temperature.</p>")),
        ],
    );
    // The deprecated page says one word more of the question, and still the current one answers.
    let url = first_citation(&site, "How do I fire glazed pots at a temperature?");
    assert!(url.starts_with("bake.html"), "{url}");
    // A question about the deprecated API is answered from it.
    let url = first_citation(&site, "What was the old way to fire glazed pots at a temperature?");
    assert!(url.starts_with("bake_v1.html"), "{url}");
    std::fs::remove_dir_all(&site).unwrap();
}

#[test]
fn a_passage_two_pages_repeat_is_cited_on_the_page_about_the_question() {
    let site = temp("repeat-site");
    // Both pages repeat one paragraph word for word, under the same heading; only the second
    // says more about shears, and it comes second in the site's order.
    let shared =
        "<h1 id=\"care\">Care</h1><p>To sharpen the blade of the shears, draw a file along its edge.</p>";
    write_pages(
        &site,
        &[
            ("index.html", page("Tools", "<h1 id=\"tools\">Tools</h1><p>Garden tools.</p>")),
            (
                "a-hoe.html",
                page("Care", &format!("{shared}<h2 id=\"oil\">Oil</h2><p>A hoe needs no oil.</p>")),
            ),
            (
                "b-shears.html",
                page(
                    "Care",
                    &format!(
                        "{shared}<h2 id=\"case\">Case</h2><p>Shears come with a leather case for the shears.</p>"
                    ),
                ),
            ),
        ],
    );
    let url = first_citation(&site, "How do I sharpen the blade of my shears?");
    assert!(url.starts_with("b-shears.html#care"), "{url}");
    std::fs::remove_dir_all(&site).unwrap();
}

#[test]
fn the_outline_of_a_site_and_of_its_pack_are_the_same_tree_with_urls() {
    let site = temp("outline-site");
    write_pages(
        &site,
        &[
            ("index.html", page("Lamps", "<h1 id=\"lamps\">Lamps</h1><p>This guide covers oil lamps.</p>")),
            (
                "wick.html",
                page(
                    "Wick",
                    "<h1 id=\"wick\">The wick</h1><p>Trim it flat.</p><h2 id=\"length\">Length</h2><p>Keep 3 mm.</p>",
                ),
            ),
        ],
    );
    let out = site.join("tome");
    pack(&site, &out);
    let from_pages = tome::pack::write::site_outline(&read_site(&site, Limits::default()).unwrap());
    let from_pack = DirPack::open(&out).unwrap().outline().unwrap();
    assert_eq!(from_pages, from_pack);
    let wick =
        from_pack.iter().flat_map(|e| std::iter::once(e).chain(&e.children)).find(|e| e.title == "The wick");
    let wick = wick.unwrap_or_else(|| panic!("{from_pack:?}"));
    assert_eq!(wick.url, "wick.html#wick");
    assert_eq!(wick.children[0].url, "wick.html#length");
    // The CLI prints it for either folder.
    for dir in [&site, &out] {
        let run =
            std::process::Command::new(env!("CARGO_BIN_EXE_tome")).arg("outline").arg(dir).output().unwrap();
        let text = String::from_utf8_lossy(&run.stdout);
        assert!(run.status.success() && text.contains("Length  (wick.html#length)"), "{text}");
    }
    std::fs::remove_dir_all(&site).unwrap();
}

//! The words a reader types for the words a manual prints: "folder" for "directory", "capital
//! letters" for "uppercase", "pause" for "sleep", an abbreviation for its word ("env",
//! "environment"), a British spelling for an American one. A question in the reader's words
//! finds the passage in the manual's words ([`crate::qa::retrieve::Word`] searches each
//! question word's synonyms the document holds, at a lower weight than the word itself).
//!
//! General vocabulary of software documentation and of computing, written for readers of any
//! manual; not a list of one document's terms. Words are compared by their morphological roots
//! ([`tokenize::roots`]), so "folders", "deleting" and "configured" find their groups.

use std::sync::LazyLock;

use super::tokenize;

/// Words that stand for one another in either direction.
const GROUPS: &[&[&str]] = &[
    // Files and places.
    &["folder", "directory", "dir"],
    &["delete", "remove", "erase"],
    &["copy", "duplicate", "clone"],
    &["rename", "renaming"],
    &["disk", "disc", "storage"],
    &["memory", "ram"],
    &["website", "site"],
    &["url", "uri"],
    &["download", "fetch"],
    &["archive", "tarball"],
    &["compress", "gzip", "zip"],
    // Text.
    &["capital", "capitalize", "uppercase"],
    &["lowercase", "downcase"],
    &["trim", "strip"],
    &["replace", "substitute"],
    &["find", "search", "locate", "lookup"],
    &["whitespace", "blank"],
    &["newline", "linebreak"],
    &["text", "string"],
    &["font", "typeface"],
    // Values and collections.
    &["number", "numeric"],
    &["float", "floating"],
    &["dictionary", "hashmap"],
    &["null", "nil", "none"],
    &["empty", "blank"],
    &["maximum", "largest", "biggest"],
    &["minimum", "smallest"],
    &["average", "mean"],
    &["sum", "total"],
    &["sort", "order"],
    &["loop", "iterate", "repeat"],
    // Code.
    &["function", "subroutine", "procedure"],
    &["argument", "parameter"],
    &["configuration", "config", "setting", "preference"],
    &["variable", "var"],
    &["environment", "env"],
    &["repository", "repo"],
    &["database", "db"],
    &["information", "info"],
    &["temporary", "temp", "tmp"],
    &["initialize", "init"],
    &["documentation", "docs", "manual", "help"],
    &["administrator", "admin", "superuser"],
    &["calculate", "compute"],
    &["execute", "run"],
    &["exception", "error"],
    &["public", "visible", "exported"],
    &["lock", "mutex"],
    // Programs and their life.
    &["application", "app", "program", "executable"],
    &["install", "setup"],
    &["update", "upgrade"],
    &["quit", "exit", "terminate"],
    &["crash", "panic", "abort"],
    &["pause", "sleep", "suspend", "delay"],
    &["begin", "start", "launch"],
    &["enable", "activate"],
    &["disable", "deactivate"],
    &["silence", "suppress", "mute", "quiet"],
    &["skip", "ignore", "exclude"],
    &["check", "verify", "validate"],
    &["fix", "patch", "repair"],
    &["bug", "defect"],
    &["speed", "performance"],
    &["optimize", "optimise"],
    &["show", "display"],
    &["terminal", "console"],
    &["shortcut", "keybinding", "hotkey", "keystroke"],
    &["password", "passphrase"],
    &["login", "logon", "signin", "authenticate", "authentication", "credential"],
    &["picture", "image", "photo", "graphic"],
    &["figure", "illustration", "diagram"],
    // British and American spellings.
    &["colour", "color"],
    &["behaviour", "behavior"],
    &["licence", "license"],
    &["centre", "center"],
    &["analyse", "analyze"],
    &["initialise", "initialize"],
    &["serialise", "serialize"],
    &["customise", "customize"],
    &["organise", "organize"],
    &["normalise", "normalize"],
    &["recognise", "recognize"],
    &["catalogue", "catalog"],
    &["grey", "gray"],
];

/// Words a reader's word may stand for, one way only: the reader's word is general, the manual's
/// is one of its technical senses, which does not stand for the general word in turn.
const NARROWER: &[(&str, &[&str])] = &[
    ("glue", &["join", "concatenate"]),
    ("part", &["slice", "portion", "substring", "subset"]),
    ("list", &["array", "vector", "vec", "slice"]),
    ("stop", &["terminate", "halt", "exit", "abort", "kill"]),
    ("uninstall", &["remove", "purge"]),
    ("convert", &["parse", "cast"]),
    ("size", &["length", "len"]),
    ("length", &["len"]),
];

/// A word of the lists as the index holds it, with its roots (see [`tokenize::roots`]).
struct Listed {
    term: String,
    roots: Vec<String>,
}

impl Listed {
    fn new(word: &str) -> Listed {
        let term = normal(word);
        let roots = tokenize::roots(&term);
        Listed { term, roots }
    }

    /// Whether the listed word is `term` or one of its variants (`roots` are `term`'s).
    fn is(&self, term: &str, roots: &[String]) -> bool {
        self.term == term || self.roots.iter().any(|r| roots.contains(r))
    }
}

/// The lists normalised once: every question word of every query looks them up.
struct Lists {
    groups: Vec<Vec<Listed>>,
    narrower: Vec<(Listed, Vec<Listed>)>,
}

static LISTS: LazyLock<Lists> = LazyLock::new(|| Lists {
    groups: GROUPS.iter().map(|g| g.iter().map(|w| Listed::new(w)).collect()).collect(),
    narrower: NARROWER
        .iter()
        .map(|(general, narrower)| (Listed::new(general), narrower.iter().map(|w| Listed::new(w)).collect()))
        .collect(),
});

/// The synonyms of a (normalised) term: the other words of its groups and the words it stands
/// for, normalised as terms, without the term itself and its variants.
pub fn of(term: &str) -> Vec<String> {
    let roots = tokenize::roots(term);
    let mut out: Vec<String> = Vec::new();
    let mut push = |word: &Listed| {
        if !word.is(term, &roots) && !out.contains(&word.term) {
            out.push(word.term.clone());
        }
    };
    for group in &LISTS.groups {
        if group.iter().any(|w| w.is(term, &roots)) {
            group.iter().for_each(&mut push);
        }
    }
    for (general, narrower) in &LISTS.narrower {
        if general.is(term, &roots) {
            narrower.iter().for_each(&mut push);
        }
    }
    out
}

/// A word of the lists as the index holds it ("settings" -> "setting").
fn normal(word: &str) -> String {
    tokenize::terms(word).into_iter().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_readers_word_finds_the_manuals_words_and_its_variants_do_too() {
        assert_eq!(of("folder"), ["directory", "dir"]);
        assert_eq!(of(&normal("folders")), ["directory", "dir"]);
        assert!(of("deleting").contains(&"remove".to_string()));
        assert!(of("colour").contains(&"color".to_string()));
        assert!(of("env").contains(&"environment".to_string()));
    }

    #[test]
    fn a_narrower_word_does_not_stand_for_the_general_one() {
        assert!(of("glue").contains(&"join".to_string()));
        assert!(!of("join").contains(&"glue".to_string()));
        assert!(of("stop").contains(&"terminate".to_string()));
    }

    #[test]
    fn words_outside_the_lists_have_none() {
        assert!(of("ocean").is_empty());
        assert!(of("the").is_empty());
    }

    #[test]
    fn every_listed_word_is_one_term() {
        let words = GROUPS
            .iter()
            .flat_map(|g| g.iter())
            .chain(NARROWER.iter().flat_map(|(g, n)| std::iter::once(g).chain(n.iter())));
        for w in words {
            assert_eq!(tokenize::terms(w).len(), 1, "{w}");
        }
    }
}

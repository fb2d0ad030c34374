//! A PDF's bookmark outline: the catalog's /Outlines tree in, pre-order [`Bookmark`]s out.
//!
//! Walks the First/Next links ourselves rather than via a title-keyed table, so entries with
//! repeated titles all survive; a visited set and a depth cap make cyclic or absurdly deep
//! outlines (hand-made or damaged files) end instead of hanging.

use std::collections::{HashMap, HashSet};

use pdf_oxide::PdfDocument;
use pdf_oxide::object::{Object, ObjectRef};

use crate::doc::Bookmark;

/// Deeper nesting than this is treated as damage: real outlines stop around 6–8.
const MAX_DEPTH: u32 = 64;
/// Upper bound on entries, against loops that a visited set cannot see (direct objects).
const MAX_ENTRIES: usize = 200_000;

/// The document's bookmarks, or `None` when it has no outline.
pub(super) fn read(pdf: &PdfDocument) -> Option<Vec<Bookmark>> {
    let catalog = pdf.catalog().ok()?;
    let outlines = resolve(pdf, catalog.as_dict()?.get("Outlines")?)?;
    let first = outlines.as_dict()?.get("First")?.as_reference()?;
    let pages = page_numbers(pdf, &catalog);
    let mut out = Vec::new();
    let mut visited = HashSet::new();
    // Explicit stack of (next item to visit, level) so deep outlines cannot overflow ours.
    let mut stack: Vec<(ObjectRef, u32)> = vec![(first, 1)];
    while let Some((item_ref, level)) = stack.pop() {
        if out.len() >= MAX_ENTRIES || !visited.insert(item_ref) {
            continue;
        }
        let Ok(item) = pdf.load_object(item_ref) else { continue };
        let Some(dict) = item.as_dict() else { continue };
        let title =
            dict.get("Title").and_then(|t| resolve(pdf, t)).and_then(|t| t.as_string().map(title_text));
        out.push(Bookmark {
            title: title.unwrap_or_default(),
            level,
            page: destination_page(pdf, dict, &pages),
        });
        // Push Next first so the children (First) are visited before the siblings: pre-order.
        if let Some(next) = dict.get("Next").and_then(Object::as_reference) {
            stack.push((next, level));
        }
        if let Some(child) = dict.get("First").and_then(Object::as_reference).filter(|_| level < MAX_DEPTH) {
            stack.push((child, level + 1));
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Titles are PDF text strings (UTF-16 with a BOM, or PDFDocEncoding); viewers show them with
/// line breaks and tabs as spaces and the ends trimmed.
fn title_text(bytes: &[u8]) -> String {
    let raw = pdf_oxide::optional_content::decode_pdf_text_string(bytes);
    raw.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

fn resolve(pdf: &PdfDocument, obj: &Object) -> Option<Object> {
    match obj {
        Object::Reference(r) => pdf.load_object(*r).ok(),
        other => Some(other.clone()),
    }
}

/// 1-based page of an item's /Dest or GoTo action /D.
fn destination_page(
    pdf: &PdfDocument,
    dict: &HashMap<String, Object>,
    pages: &HashMap<ObjectRef, u32>,
) -> Option<u32> {
    let dest = match dict.get("Dest") {
        Some(d) => resolve(pdf, d)?,
        None => {
            let action = resolve(pdf, dict.get("A")?)?;
            resolve(pdf, action.as_dict()?.get("D")?)?
        }
    };
    dest_page(pdf, &dest, pages, 0)
}

fn dest_page(pdf: &PdfDocument, dest: &Object, pages: &HashMap<ObjectRef, u32>, depth: u32) -> Option<u32> {
    if depth > 4 {
        return None;
    }
    match dest {
        Object::Array(items) => match items.first()? {
            Object::Reference(page) => pages.get(page).copied(),
            // Remote-style destinations give a 0-based page number.
            Object::Integer(i) => u32::try_from(*i).ok().map(|i| i + 1),
            _ => None,
        },
        Object::Dictionary(d) => dest_page(pdf, &resolve(pdf, d.get("D")?)?, pages, depth + 1),
        Object::String(name) => named(pdf, &String::from_utf8_lossy(name)),
        Object::Name(name) => named(pdf, name),
        Object::Reference(r) => dest_page(pdf, &pdf.load_object(*r).ok()?, pages, depth + 1),
        _ => None,
    }
}

fn named(pdf: &PdfDocument, name: &str) -> Option<u32> {
    let index = pdf.resolve_named_destination(name).ok()??;
    u32::try_from(index).ok().map(|i| i + 1)
}

/// Page object -> 1-based page number, from a cycle-safe walk of the page tree.
fn page_numbers(pdf: &PdfDocument, catalog: &Object) -> HashMap<ObjectRef, u32> {
    let mut map = HashMap::new();
    let Some(root) = catalog.as_dict().and_then(|d| d.get("Pages")).and_then(Object::as_reference) else {
        return map;
    };
    let mut visited = HashSet::new();
    // Kids are pushed in reverse so pages come off the stack in document order.
    let mut stack = vec![root];
    while let Some(node_ref) = stack.pop() {
        if !visited.insert(node_ref) {
            continue;
        }
        let Ok(node) = pdf.load_object(node_ref) else { continue };
        let Some(dict) = node.as_dict() else { continue };
        match dict.get("Kids").and_then(|k| resolve(pdf, k)) {
            Some(Object::Array(kids)) => {
                stack.extend(kids.iter().rev().filter_map(Object::as_reference));
            }
            _ => {
                let n = map.len() as u32 + 1;
                map.insert(node_ref, n);
            }
        }
    }
    map
}

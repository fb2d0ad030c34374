//! The binary layouts of a pack's shards (before gzip), written and read here only.
//!
//! Integers are LEB128 varints, strings a varint length then UTF-8. Passage numbers in
//! postings and runs are delta-coded, so gzip sees small repeating numbers.
//!
//! Index shard: `TPI1`, term count, then per term (in term order): term, df, postings count,
//! the postings' passage deltas, their saturations (one byte each, [`quantize`]), the count of
//! path runs, then per run (gap from the previous run's end, length).
//!
//! Text shard: `TPT1`, first passage, count, then per passage: URL (page path and `#anchor`),
//! path length and titles, text.

use super::PackError;

const INDEX_MAGIC: &[u8; 4] = b"TPI1";
const TEXT_MAGIC: &[u8; 4] = b"TPT1";

/// One term of an index shard.
#[derive(Debug, Clone, PartialEq)]
pub struct TermEntry {
    pub term: String,
    /// Passages holding the term in the whole site.
    pub df: u32,
    /// (passage, quantized BM25 saturation), passages increasing.
    pub postings: Vec<(u32, u8)>,
    /// Runs (first passage, count) of passages whose outline path holds the term.
    pub path_runs: Vec<(u32, u32)>,
}

/// One passage of a text shard.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPassage {
    /// Page path from the site root, with `#anchor` of the nearest heading when it has one.
    pub url: String,
    pub path: Vec<String>,
    pub text: String,
}

/// Saturations lie in [0, MAX_SATURATION): 255 steps of 0.9 %.
pub fn quantize(saturation: f32) -> u8 {
    let max = crate::index::bm25::MAX_SATURATION;
    (saturation / max * 255.0).round().clamp(1.0, 255.0) as u8
}

pub fn dequantize(q: u8) -> f32 {
    f32::from(q) / 255.0 * crate::index::bm25::MAX_SATURATION
}

#[derive(Default)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    pub fn uint(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }
    pub fn str(&mut self, s: &str) {
        self.uint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
}

pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    name: &'a str,
}

impl<'a> Reader<'a> {
    pub fn new(name: &'a str, bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0, name }
    }
    fn damaged(&self, what: &str) -> PackError {
        PackError::Damaged(self.name.to_string(), format!("{what} at byte {}", self.at))
    }
    pub fn magic(&mut self, magic: &[u8; 4]) -> Result<(), PackError> {
        if self.bytes.get(..4) != Some(&magic[..]) {
            return Err(self.damaged("not a shard of this kind"));
        }
        self.at = 4;
        Ok(())
    }
    pub fn uint(&mut self) -> Result<u64, PackError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at).ok_or_else(|| self.damaged("ends early"))?;
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.damaged("a number is too long"))
    }
    /// A count of items that each take at least one byte: never more than the bytes left.
    pub fn count(&mut self) -> Result<usize, PackError> {
        let n = self.uint()? as usize;
        if n > self.bytes.len() - self.at.min(self.bytes.len()) {
            return Err(self.damaged("a count runs past the end"));
        }
        Ok(n)
    }
    pub fn byte(&mut self) -> Result<u8, PackError> {
        let b = *self.bytes.get(self.at).ok_or_else(|| self.damaged("ends early"))?;
        self.at += 1;
        Ok(b)
    }
    pub fn str(&mut self) -> Result<String, PackError> {
        let n = self.count()?;
        let s =
            self.bytes.get(self.at..self.at + n).ok_or_else(|| self.damaged("a text runs past the end"))?;
        self.at += n;
        String::from_utf8(s.to_vec()).map_err(|_| self.damaged("a text is not UTF-8"))
    }
}

pub fn write_index(terms: &[TermEntry]) -> Vec<u8> {
    let mut w = Writer(INDEX_MAGIC.to_vec());
    w.uint(terms.len() as u64);
    for t in terms {
        w.str(&t.term);
        w.uint(u64::from(t.df));
        w.uint(t.postings.len() as u64);
        let mut last = 0;
        for &(p, _) in &t.postings {
            w.uint(u64::from(p - last));
            last = p;
        }
        w.0.extend(t.postings.iter().map(|&(_, q)| q));
        w.uint(t.path_runs.len() as u64);
        let mut end = 0;
        for &(start, len) in &t.path_runs {
            w.uint(u64::from(start - end));
            w.uint(u64::from(len));
            end = start + len;
        }
    }
    w.0
}

pub fn read_index(name: &str, bytes: &[u8]) -> Result<Vec<TermEntry>, PackError> {
    let mut r = Reader::new(name, bytes);
    r.magic(INDEX_MAGIC)?;
    let n = r.count()?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let term = r.str()?;
        let df = r.uint()? as u32;
        let np = r.count()?;
        let mut postings = Vec::with_capacity(np);
        let mut last = 0u32;
        for _ in 0..np {
            last = last.saturating_add(r.uint()? as u32);
            postings.push((last, 0));
        }
        for p in &mut postings {
            p.1 = r.byte()?;
        }
        let nr = r.count()?;
        let mut path_runs = Vec::with_capacity(nr);
        let mut end = 0u32;
        for _ in 0..nr {
            let start = end.saturating_add(r.uint()? as u32);
            let len = r.uint()? as u32;
            path_runs.push((start, len));
            end = start.saturating_add(len);
        }
        out.push(TermEntry { term, df, postings, path_runs });
    }
    Ok(out)
}

pub fn write_text(first: u32, passages: &[StoredPassage]) -> Vec<u8> {
    let mut w = Writer(TEXT_MAGIC.to_vec());
    w.uint(u64::from(first));
    w.uint(passages.len() as u64);
    for p in passages {
        w.str(&p.url);
        w.uint(p.path.len() as u64);
        for t in &p.path {
            w.str(t);
        }
        w.str(&p.text);
    }
    w.0
}

pub fn read_text(name: &str, bytes: &[u8]) -> Result<(u32, Vec<StoredPassage>), PackError> {
    let mut r = Reader::new(name, bytes);
    r.magic(TEXT_MAGIC)?;
    let first = r.uint()? as u32;
    let n = r.count()?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let url = r.str()?;
        let np = r.count()?;
        let path = (0..np).map(|_| r.str()).collect::<Result<Vec<_>, _>>()?;
        let text = r.str()?;
        out.push(StoredPassage { url, path, text });
    }
    Ok((first, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_round_trip() {
        let terms = vec![
            TermEntry {
                term: "anchor".into(),
                df: 2,
                postings: vec![(3, 200), (70_000, 1)],
                path_runs: vec![(2, 5), (9, 1)],
            },
            TermEntry { term: "航海".into(), df: 1, postings: vec![(0, 255)], path_runs: vec![] },
        ];
        assert_eq!(read_index("i", &write_index(&terms)).unwrap(), terms);
        let passages = vec![StoredPassage {
            url: "a.html#b".into(),
            path: vec!["A".into(), "B".into()],
            text: "x y".into(),
        }];
        assert_eq!(read_text("t", &write_text(7, &passages)).unwrap(), (7, passages));
    }

    #[test]
    fn damaged_shards_are_errors_not_panics() {
        let terms = vec![TermEntry { term: "knot".into(), df: 1, postings: vec![(1, 9)], path_runs: vec![] }];
        let good = write_index(&terms);
        for cut in 0..good.len() {
            assert!(read_index("i", &good[..cut]).is_err());
        }
        let mut bad = good.clone();
        bad[5] = 0xff;
        let _ = read_index("i", &bad);
        assert!(read_text("t", &good).is_err(), "an index shard is not a text shard");
        assert!(quantize(0.0) == 1 && quantize(100.0) == 255);
        assert!((dequantize(quantize(1.1)) - 1.1).abs() < 0.01);
    }
}

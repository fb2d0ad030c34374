//! Decoding text bytes: UTF-8, UTF-16 with BOM, a legacy single-byte fallback.
//!
//! Bytes in, a `String` out (or `DocError::Unsupported` for binary data). The order of tries:
//! a byte order mark (UTF-8, UTF-16 LE/BE) decides; otherwise UTF-16 without a BOM when the zero
//! bytes say so (ASCII-heavy UTF-16 has a NUL in every other byte); otherwise valid UTF-8 is
//! UTF-8; otherwise Windows-1252, the usual legacy encoding of English text files (a superset of
//! Latin-1's printable range). Whatever decodes must then look like text: a file whose characters
//! are largely control codes, replacement characters or private-use code points is binary.

use crate::doc::error::{DocError, Result};

/// The encoding a text was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

/// Share of "impossible in text" characters above which a decoded file is called binary.
const MAX_SUSPICIOUS: f64 = 0.01;

/// Decodes the bytes of a text file. A leading BOM is not part of the returned text.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding)> {
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (String::from_utf8_lossy(rest).into_owned(), Encoding::Utf8)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (utf16(rest, u16::from_le_bytes), Encoding::Utf16Le)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (utf16(rest, u16::from_be_bytes), Encoding::Utf16Be)
    } else if let Some(encoding) = utf16_without_bom(bytes) {
        // Checked before UTF-8: ASCII-range UTF-16 is also valid UTF-8, NULs and all.
        let text = match encoding {
            Encoding::Utf16Be => utf16(bytes, u16::from_be_bytes),
            _ => utf16(bytes, u16::from_le_bytes),
        };
        (text, encoding)
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        (s.to_string(), Encoding::Utf8)
    } else {
        (bytes.iter().map(|&b| windows_1252(b)).collect(), Encoding::Windows1252)
    };
    check_text(&text)?;
    Ok((text, encoding))
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

/// UTF-16 without a BOM: most zero bytes sit on one parity (the high byte of ASCII characters).
fn utf16_without_bom(bytes: &[u8]) -> Option<Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let sample = &bytes[..bytes.len().min(1 << 16)];
    let zeros_at = |parity: usize| sample.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let (even, odd) = (zeros_at(0), zeros_at(1));
    let half = sample.len() / 2;
    if odd * 10 >= half * 3 && even * 20 < half {
        Some(Encoding::Utf16Le)
    } else if even * 10 >= half * 3 && odd * 20 < half {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

/// Windows-1252: Latin-1 except 0x80..=0x9F, which hold typographic characters. The five
/// bytes it leaves undefined map to the C1 controls, as browsers do.
fn windows_1252(b: u8) -> char {
    const HIGH: [u16; 32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
        0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => char::from_u32(u32::from(HIGH[usize::from(b - 0x80)])).unwrap_or('\u{FFFD}'),
        _ => char::from(b),
    }
}

/// Rejects decoded text that is really binary data: any NUL, or too many control codes,
/// replacement characters (undecodable units) or private-use code points.
fn check_text(text: &str) -> Result<()> {
    let mut total = 0usize;
    let mut suspicious = 0usize;
    for c in text.chars() {
        total += 1;
        if c == '\0' {
            return Err(binary("it contains NUL bytes"));
        }
        let odd = match c {
            '\t' | '\n' | '\r' | '\u{0C}' => false,
            c if c.is_control() => true,
            '\u{FFFD}' | '\u{E000}'..='\u{F8FF}' => true,
            _ => false,
        };
        suspicious += usize::from(odd);
    }
    if total > 0 && suspicious as f64 > MAX_SUSPICIOUS * total as f64 {
        let share = 100.0 * suspicious as f64 / total as f64;
        return Err(binary(&format!("{share:.0}% of its characters are control codes or undecodable")));
    }
    Ok(())
}

fn binary(why: &str) -> DocError {
    DocError::Unsupported { detail: format!("the file looks binary, not text: {why}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16_bytes(s: &str, bom: bool, be: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if be { b"\xFE\xFF" } else { b"\xFF\xFE" });
        }
        for u in s.encode_utf16() {
            out.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        out
    }

    const SAMPLE: &str = "CHAPTER I\n\nCafé — “quoted” 中文 text.\r\n";

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode(SAMPLE.as_bytes()).unwrap(), (SAMPLE.to_string(), Encoding::Utf8));
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), SAMPLE.as_bytes()].concat();
        assert_eq!(decode(&with_bom).unwrap(), (SAMPLE.to_string(), Encoding::Utf8));
    }

    #[test]
    fn utf16_le_and_be_with_bom() {
        assert_eq!(decode(&utf16_bytes(SAMPLE, true, false)).unwrap(), (SAMPLE.into(), Encoding::Utf16Le));
        assert_eq!(decode(&utf16_bytes(SAMPLE, true, true)).unwrap(), (SAMPLE.into(), Encoding::Utf16Be));
    }

    #[test]
    fn utf16_without_bom_is_recognised_by_its_zero_bytes() {
        let text = "It is a truth universally acknowledged.\n".repeat(20);
        assert_eq!(decode(&utf16_bytes(&text, false, false)).unwrap(), (text.clone(), Encoding::Utf16Le));
        assert_eq!(decode(&utf16_bytes(&text, false, true)).unwrap(), (text, Encoding::Utf16Be));
    }

    #[test]
    fn latin1_and_windows_1252_fallback() {
        // "Café", then 0x93/0x94 curly quotes and 0x97 em dash from Windows-1252.
        let bytes = b"Caf\xE9 \x93quoted\x94 \x97 na\xEFve\n";
        let (text, encoding) = decode(bytes).unwrap();
        assert_eq!(encoding, Encoding::Windows1252);
        assert_eq!(text, "Café “quoted” — naïve\n");
    }

    #[test]
    fn binary_data_is_rejected_with_a_reason() {
        let mut elf = b"\x7FELF\x02\x01\x01\x00\x00\x00".to_vec();
        elf.extend(std::iter::repeat_n(0u8, 64));
        let err = decode(&elf).unwrap_err().to_string();
        assert!(err.contains("binary"), "{err}");

        // Deterministic pseudo-random bytes (xorshift), like a compressed or encrypted file.
        let mut x: u32 = 0x9E37_79B9;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect();
        assert!(matches!(decode(&noise), Err(DocError::Unsupported { .. })));
    }
}

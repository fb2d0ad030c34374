//! The stream filters the pre-scan must see through besides Flate: pdf_oxide decodes a stream's
//! whole filter chain before it parses an object stream, so a nesting bomb wrapped in ASCIIHex,
//! ASCII85 or RunLength (128 bytes from two) must be measured after those too. Each decoder
//! stops at its end-of-data marker or at `limit` bytes of output, and skips what it cannot read
//! (only the nesting and size of the result matter here, not its exact bytes).

/// One filter of a stream's `/Filter` entry, as far as the pre-scan cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Filter {
    Flate,
    AsciiHex,
    Ascii85,
    RunLength,
    /// Any other (LZW, image codecs, …): the pre-scan measures the bytes as they are.
    Other,
}

/// The filters named by the `/Filter` entry of a stream dictionary, in order (empty: none).
pub(super) fn chain(dict: &[u8]) -> Vec<Filter> {
    let Some(at) = dict.windows(7).position(|w| w == b"/Filter") else { return Vec::new() };
    let rest = &dict[at + 7..];
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(rest.len())..];
    let names: &[u8] = if rest.first() == Some(&b'[') {
        &rest[1..rest.iter().position(|&b| b == b']').unwrap_or(rest.len())]
    } else {
        // A single name: up to the next delimiter after its slash.
        let end =
            rest.iter().skip(1).position(|&b| b"/<>[]() \t\r\n".contains(&b)).map_or(rest.len(), |p| p + 1);
        &rest[..end]
    };
    names
        .split(|&b| b == b'/')
        .map(|n| n.trim_ascii())
        .filter(|n| !n.is_empty())
        .map(|name| match name {
            b"FlateDecode" | b"Fl" => Filter::Flate,
            b"ASCIIHexDecode" | b"AHx" => Filter::AsciiHex,
            b"ASCII85Decode" | b"A85" => Filter::Ascii85,
            b"RunLengthDecode" | b"RL" => Filter::RunLength,
            _ => Filter::Other,
        })
        .collect()
}

/// Decodes `data` with `filter` (not Flate, which the pre-scan inflates in its own way), up to
/// `limit` bytes of output; `None` for a filter it does not decode.
pub(super) fn decode(filter: Filter, data: &[u8], limit: usize) -> Option<Vec<u8>> {
    match filter {
        Filter::AsciiHex => Some(ascii_hex(data, limit)),
        Filter::Ascii85 => Some(ascii85(data, limit)),
        Filter::RunLength => Some(run_length(data, limit)),
        Filter::Flate | Filter::Other => None,
    }
}

fn ascii_hex(data: &[u8], limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut high = None;
    for &b in data {
        if b == b'>' || out.len() >= limit {
            break;
        }
        let Some(digit) = (b as char).to_digit(16) else { continue };
        match high.take() {
            None => high = Some(digit as u8),
            Some(h) => out.push(h << 4 | digit as u8),
        }
    }
    if let Some(h) = high {
        out.push(h << 4);
    }
    out
}

fn ascii85(data: &[u8], limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut group = [0u8; 5];
    let mut n = 0;
    for &b in data {
        if b == b'~' || out.len() >= limit {
            break;
        }
        if b == b'z' && n == 0 {
            out.extend([0; 4]);
            continue;
        }
        if !(b'!'..=b'u').contains(&b) {
            continue;
        }
        group[n] = b - b'!';
        n += 1;
        if n == 5 {
            out.extend(base85(&group).to_be_bytes());
            n = 0;
        }
    }
    if n > 1 {
        // A final partial group: padded with the highest digit, its first n - 1 bytes kept.
        group[n..].fill(84);
        out.extend(&base85(&group).to_be_bytes()[..n - 1]);
    }
    out
}

fn base85(group: &[u8; 5]) -> u32 {
    group.iter().fold(0u32, |v, &d| v.wrapping_mul(85).wrapping_add(u32::from(d)))
}

fn run_length(data: &[u8], limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() && out.len() < limit {
        let length = data[i];
        i += 1;
        match length {
            128 => break,
            0..=127 => {
                let end = (i + usize::from(length) + 1).min(data.len());
                out.extend_from_slice(&data[i..end]);
                i = end;
            }
            _ => {
                let Some(&b) = data.get(i) else { break };
                out.resize(out.len() + 257 - usize::from(length), b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_chains_are_read_from_the_dictionary() {
        assert_eq!(chain(b"<< /Length 3 >>"), []);
        assert_eq!(chain(b"<< /Filter /FlateDecode /Length 3 >>"), [Filter::Flate]);
        assert_eq!(chain(b"<</Filter/AHx/Length 3>>"), [Filter::AsciiHex]);
        assert_eq!(chain(b"<< /Filter [/ASCII85Decode /FlateDecode] >>"), [Filter::Ascii85, Filter::Flate]);
        assert_eq!(chain(b"<< /Filter [ /RL/LZWDecode ] >>"), [Filter::RunLength, Filter::Other]);
    }

    #[test]
    fn the_ascii_filters_and_run_length_decode() {
        assert_eq!(ascii_hex(b"5b 5B5\n b 7>ignored", 100), b"[[[\x70");
        // "Hello" in ASCII85, with the end marker.
        assert_eq!(ascii85(b"87cURDZ~>", 100), b"Hello");
        assert_eq!(ascii85(b"z!!!!!~>", 100), [0; 8]);
        // A literal run of 2 bytes, a repeat of 128 bytes, end of data.
        let out = run_length(&[1, b'a', b'b', 129, b'[', 128, 7], 1000);
        assert_eq!(out.len(), 130);
        assert!(out.starts_with(b"ab[[") && out.ends_with(b"[["));
        // Output stops near the limit.
        assert!(run_length(&[129, b'['].repeat(1000), 500).len() < 700);
    }
}

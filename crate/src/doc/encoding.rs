//! Decoding text bytes: UTF-8, UTF-16 with BOM, a legacy single-byte fallback.

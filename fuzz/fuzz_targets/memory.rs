#![no_main]
libfuzzer_sys::fuzz_target!(init: tome::fuzz::crash_only_when_tome_panics(), |data: &[u8]| tome::fuzz::memory(data));

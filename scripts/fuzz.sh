#!/usr/bin/env bash
# Fuzzes one reader for a while: scripts/fuzz.sh TARGET SECONDS   (TARGET: pdf, text, gguf, pack, memory)
# The corpus (fuzz/corpus/TARGET, git-ignored) is seeded from fuzz/seeds/TARGET (the crafted hostile
# inputs) and small eval documents. A crash lands in fuzz/artifacts/TARGET:
# fix it, then copy the input to fuzz/regressions/TARGET/ so `cargo test --test fuzz_regressions`
# replays it. Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Limits per input: 3 GB of memory and 60 s (the hostile-input budgets), inputs up to 256 KB.
# A stack overflow ends the fuzzer with exit 139 and no input saved (libFuzzer's SIGSEGV handler
# runs on the overflowed stack): run the binary under gdb (`handle SIGSEGV stop print`, then
# `thread apply all bt 40` shows the recursion); that is how the pdf target's object-stream
# nesting behind a damaged zlib header was found.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS}
corpus=fuzz/corpus/$target
mkdir -p "$corpus" fuzz/artifacts/"$target"

if [ -z "$(ls -A "$corpus")" ]; then
  # The crafted hostile inputs (written by scripts/hostile_inputs.py --small --only TARGET).
  cp fuzz/seeds/"$target"/* "$corpus"/
  eval_docs=../shared/eval/docs
  case $target in
    pdf) for f in "$eval_docs"/pdf/*.pdf; do
           [ "$(stat -c %s "$f")" -le 262144 ] && cp "$f" "$corpus"/ ; done ;;
    text) for f in "$eval_docs"/novels/*.txt; do
            # A text target input starts with its kind byte (even: text, odd: Markdown).
            { printf '\0'; head -c 16384 "$f"; } > "$corpus/$(basename "$f")"; done ;;
  esac
fi

# Building takes the shared build lock (the machine is shared); fuzzing itself does not.
flock /tmp/tome-build.lock nice cargo +nightly fuzz build --fuzz-dir fuzz -s none "$target"
bin=fuzz/target/x86_64-unknown-linux-gnu/release/$target
exec nice -n 19 "$bin" "$corpus" -artifact_prefix=fuzz/artifacts/"$target"/ \
  -max_total_time="$seconds" -rss_limit_mb=3072 -timeout=60 -max_len=262144 -print_final_stats=1

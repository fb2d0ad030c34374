#!/usr/bin/env bash
# Prints the rustup toolchain for the threaded wasm build (scripts/build-web.sh): the nightly pinned here,
# with rust-src (for -Z build-std). A `nightly` that is that very build
# (same commit) is used as it is, so a machine that has it does not download it again; otherwise the
# pinned one is installed (minimal profile + rust-src, ~1-2 min on a fresh machine).
set -euo pipefail
cd "$(dirname "$0")/.."
# The pin, and its commit (`rustc -V` of nightly-YYYY-MM-DD names the previous day's commit).
pinned=nightly-2026-05-20
commit=e50aa6fba
has_src() { [ -d "$(rustup run "$1" rustc --print sysroot)/lib/rustlib/src/rust/library" ]; }
if rustup run "$pinned" rustc -V >/dev/null 2>&1 && has_src "$pinned"; then
  echo "$pinned"
elif rustup run nightly rustc -V 2>/dev/null | grep -q "($commit " && has_src nightly; then
  echo nightly
else
  echo "wasm-mt-toolchain: installing $pinned with rust-src (once)" >&2
  rustup toolchain install "$pinned" --profile minimal -c rust-src >&2
  echo "$pinned"
fi

#!/usr/bin/env bash
# The test command: set-up, every test (unit, real documents, real model), and the wasm build check.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --workspace
# The CPU path is the browser's fallback: the library must keep compiling for wasm32.
cargo build --lib -p tome --target wasm32-unknown-unknown

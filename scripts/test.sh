#!/usr/bin/env bash
# The test command: set-up, every Rust test (unit, real documents, real model), the web build
# (which is also the check that the library compiles for wasm32), and the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --workspace
scripts/build-web.sh
npm test

#!/usr/bin/env bash
# The main job. Builds whatever is missing (model, CLI, wasm, web assets), then:
#   scripts/run.sh                     serves the web app on http://127.0.0.1:8080/ (sample one click away)
#   scripts/run.sh FILE [QUESTION]     analyzes FILE on the command line: outline, then an answer
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release -p tome --bin tome
tome=target/release/tome
if [ $# -eq 0 ]; then
  scripts/build-web.sh
  exec "$tome" serve --port "${PORT:-8080}"
fi
file=$1
question=${2:-What is this document about?}
"$tome" outline "$file"
echo
"$tome" ask "$file" "$question"

#!/usr/bin/env bash
# The main job: set up, build, and analyze a document (the bundled sample when none is given):
# its outline, then a search and a question about it.
#   scripts/run.sh [FILE] [QUESTION]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release -p tome --bin tome
file=${1:-assets/sample/R-intro.pdf}
question=${2:-How do I read data from a file into a data frame?}
tome=target/release/tome
"$tome" outline "$file"
echo
"$tome" ask "$file" "$question"

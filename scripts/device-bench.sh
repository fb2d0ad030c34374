#!/usr/bin/env bash
# GPU figures on a machine with a real GPU (Linux; made for NVIDIA, works on any Vulkan driver, and on
# Mesa lavapipe for testing), in a few minutes: builds tome (release), makes sure a Vulkan loader and
# driver are visible, fetches the model, runs `tome bench model --backend gpu` and writes its JSON.
#
#   scripts/device-bench.sh OUT.json [--sizes 512,2048,8192] [--reps 3]
#
# Environment: TOME_PROFILE=dev uses the dev build (quick where deps are already built; slower kernels
# set-up, same GPU work); TOME_BIN=path skips the build; TOME_MODEL=path uses that GGUF instead of
# fetching it; TOME_BENCH_TIMEOUT (seconds, default 600) bounds the bench itself.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:?usage: scripts/device-bench.sh OUT.json [--sizes 512,2048,8192] [--reps N]}"
shift
SIZES=512,2048,8192
REPS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    *) echo "error: unknown option $1" >&2; exit 2 ;;
  esac
done
log() { echo "device-bench: $*" >&2; }

# 1. Vulkan loader. NVIDIA's driver ships its own ICD; only the loader may be missing.
have_loader() { ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || [ -e /usr/lib/x86_64-linux-gnu/libvulkan.so.1 ]; }
if ! have_loader; then
  log "no Vulkan loader (libvulkan.so.1): installing libvulkan1"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if command -v apt-get >/dev/null; then
    $SUDO apt-get install -y -q libvulkan1 >/dev/null 2>&1 \
      || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q libvulkan1 >/dev/null; }
  fi
  have_loader || { log "error: could not install the Vulkan loader; install libvulkan1 and rerun"; exit 1; }
fi

# In containers the NVIDIA libraries are often mounted without the ICD manifest that points the loader
# at them; write one when the driver library is present but no manifest names it.
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
  log "GPU: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1)"
  manifests="$(ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json 2>/dev/null || true)"
  if ! grep -qs nvidia $manifests /dev/null; then
    lib="$(ldconfig -p 2>/dev/null | grep -o '/[^ ]*libGLX_nvidia\.so\.0' | head -1 || true)"
    if [ -n "$lib" ]; then
      icd="$(mktemp -d)/nvidia_icd.json"
      printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3"}}\n' "$lib" >"$icd"
      export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
      log "no NVIDIA Vulkan manifest found; using $icd -> $lib"
    else
      log "warning: nvidia-smi sees a GPU but no libGLX_nvidia.so.0 (the container may lack the 'graphics' driver capability); wgpu may fall back to a software adapter"
    fi
  fi
fi

# 2. Build.
PROFILE="${TOME_PROFILE:-release}"
if [ -n "${TOME_BIN:-}" ]; then
  BIN="$TOME_BIN"
else
  command -v cargo >/dev/null || { log "error: cargo not found; install Rust (rustup) or set TOME_BIN"; exit 1; }
  log "building tome ($PROFILE)"
  (cd "$ROOT" && cargo build -q --profile "$PROFILE" --bin tome)
  dir="$PROFILE"; [ "$PROFILE" = dev ] && dir=debug
  BIN="$ROOT/target/$dir/tome"
fi

# 3. Model.
MODEL="${TOME_MODEL:-$ROOT/assets/SmolLM2-135M-Instruct.Q4_1.gguf}"
[ -n "${TOME_MODEL:-}" ] || "$ROOT/scripts/fetch-model.sh" >/dev/null

# 4. Bench: JSON to OUT, progress on stderr.
log "bench: sizes $SIZES, reps $REPS"
timeout "${TOME_BENCH_TIMEOUT:-600}" "$BIN" bench model --backend gpu --model "$MODEL" --sizes "$SIZES" \
  --reps "$REPS" >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
if grep -q '"fallback": true' "$OUT"; then
  log "warning: the adapter is a software rasterizer (lavapipe / SwiftShader): figures are not GPU figures"
fi
log "wrote $OUT"

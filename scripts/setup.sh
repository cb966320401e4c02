#!/usr/bin/env bash
# Installs what leukoscan needs on a Debian machine: the apt packages in .ci/apt-packages.txt
# (ffmpeg, Chromium for the browser test, Debian's PyTorch for training/) and the npm packages.
# Idempotent: packages already there are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=$(grep -v '^\s*#' .ci/apt-packages.txt | grep -v '^\s*$' | tr '\n' ' ')
missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing Debian packages:$missing" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# onnxruntime-node's postinstall would download the CUDA provider from NuGet on Linux x64; it reads
# ONNXRUNTIME_NODE_INSTALL (docs/gpu.md): skip unless the caller asks for it (e.g. =cuda12).
export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

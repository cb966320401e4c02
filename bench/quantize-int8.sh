#!/usr/bin/env bash
# Makes MODEL.int8.onnx beside MODEL.onnx (static int8 QDQ of the convolutions; see bench/quantize_int8.py).
# Usage: bash bench/quantize-int8.sh models/leukoscan-lite.onnx [calibration images, default 16]
set -euo pipefail
model=${1:?usage: bench/quantize-int8.sh MODEL.onnx [N]}
n=${2:-16}
base=${model%.onnx}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
/usr/bin/python3 "$here/quantize_int8.py" augment "$model" "$tmp/aug.onnx" "$tmp/tensors.json"
npx tsx "$here/calibrate-int8.ts" "$tmp/aug.onnx" "$tmp/tensors.json" "$tmp/ranges.json" --card "$base.json" --images "$n"
/usr/bin/python3 "$here/quantize_int8.py" quantize "$model" "$tmp/ranges.json" "$base.int8.onnx"

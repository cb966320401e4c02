#!/usr/bin/env bash
# Makes MODEL.int8.onnx beside MODEL.onnx (static int8 QDQ of the convolutions; see bench/quantize_int8.py),
# writes its own card MODEL.int8.json (hashes of both files, scheme, calibration), measures it on BCCD test
# (COCO AP, five types merged into WBC) into that card unless --no-eval. `--precision auto` checks the card
# against both files before running the int8 file.
# Usage: bash bench/quantize-int8.sh models/leukoscan-lite.onnx [calibration images, default 16] [--no-eval] [--matmul]
#        [--weight-bits 7|8]
# --weight-bits 7 (the default) keeps weights in ±63 so that CPUs without VNNI (AVX2 vpmaddubsw) do not
# saturate and `--precision auto` runs the file on every x86 host; 8 is exact only with VNNI
# (bench/quantize_int8.py).
# --matmul also quantises the encoder's token-wise MatMuls (bench/quantize_int8.py; measured 2026-12-04: no
# speed-up on a 2-core VNNI host, so the shipped file is made without it).
set -euo pipefail
model=${1:?usage: bench/quantize-int8.sh MODEL.onnx [N] [--no-eval] [--matmul]}
shift
n=16
evaluate=1
scheme=()
bits=(--weight-bits 7)
while (($#)); do
  case "$1" in
    --no-eval) evaluate=0 ;;
    --matmul) scheme+=(--matmul) ;;
    --weight-bits) bits=(--weight-bits "${2:?--weight-bits needs 7 or 8}"); shift ;;
    *) n=$1 ;;
  esac
  shift
done
base=${model%.onnx}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
/usr/bin/python3 "$here/quantize_int8.py" augment "$model" "$tmp/aug.onnx" "$tmp/tensors.json" "${scheme[@]}"
npx tsx "$here/calibrate-int8.ts" "$tmp/aug.onnx" "$tmp/tensors.json" "$tmp/ranges.json" --card "$base.json" --images "$n"
/usr/bin/python3 "$here/quantize_int8.py" quantize "$model" "$tmp/ranges.json" "$base.int8.onnx" "${scheme[@]}" "${bits[@]}"
/usr/bin/python3 "$here/quantize_int8.py" card "$model" "$tmp/ranges.json" "${scheme[@]}" "${bits[@]}"
if [[ $evaluate == 1 ]]; then
  data=${LEUKOSCAN_DATA:-$here/../../shared/data}
  node "$here/../bin/leukoscan.js" eval --images "$data/bccd/JPEGImages" --annotations "$data/bccd/Annotations" \
    --split "$data/bccd/ImageSets/Main/test.txt" --merge-wbc --calibration off --model "$base.int8.onnx" --json "$tmp/eval.json"
  /usr/bin/python3 "$here/quantize_int8.py" card "$model" "$tmp/ranges.json" "$tmp/eval.json" "${scheme[@]}" "${bits[@]}"
fi

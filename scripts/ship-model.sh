#!/usr/bin/env bash
# Ships a detector checkpoint as models/<name>.onnx, measured end to end:
#   1. training.evaluate on the checkpoint (PyTorch): BCCD-3 test, WBC-5 with the detector's types and
#      re-typed by the shipped typer file (models/leukoscan-typer.onnx) -> metrics.json
#   2. training.export: models/<name>.onnx (fp16 storage), its card (with those metrics), golden fixtures;
#      then the cell colour reference (bench/calibration-reference.ts) merged into the card, which the
#      calibration's stain step needs (scripts/card-cell-reference.py)
#   3. bench/quantize-int8.sh: models/<name>.int8.onnx and its card, scored through onnxruntime-node
#   4. leukoscan eval --merge-wbc on the float file through onnxruntime-node
# Every step's output is kept in $SHIP_OUT (default: a new folder under /tmp, printed at the end).
# Usage: scripts/ship-model.sh CHECKPOINT [name, default leukoscan-lite]
set -euo pipefail
cd "$(dirname "$0")/.."
ckpt=${1:?usage: scripts/ship-model.sh CHECKPOINT [name]}
name=${2:-leukoscan-lite}
[[ -f "$ckpt" ]] || { echo "ship-model: checkpoint not found: $ckpt" >&2; exit 66; }
out=${SHIP_OUT:-$(mktemp -d /tmp/leukoscan-ship.XXXXXX)}
mkdir -p "$out"
data=${LEUKOSCAN_DATA:-$(pwd)/../shared/data}
py=/usr/bin/python3

$py -m training.evaluate --checkpoint "$ckpt" --typer models/leukoscan-typer.onnx --json "$out/metrics.json" \
  | tee "$out/1-evaluate.txt"
$py -m training.export --checkpoint "$ckpt" --name "$name" --metrics "$out/metrics.json" | tee "$out/2-export.txt"
npx tsx bench/calibration-reference.ts --json "$out/cell-reference.json" > "$out/2-cell-reference.txt"
$py scripts/card-cell-reference.py "$out/cell-reference.json" "models/$name.json"
bash bench/quantize-int8.sh "models/$name.onnx" | tee "$out/3-int8.txt"
node bin/leukoscan.js eval --images "$data/bccd/JPEGImages" --annotations "$data/bccd/Annotations" \
  --split "$data/bccd/ImageSets/Main/test.txt" --merge-wbc --model "models/$name.onnx" --precision float \
  --json "$out/4-onnx-float.json" | tee "$out/4-onnx-float.txt"
echo "ship-model: shipped $ckpt as models/$name.onnx; measurements in $out"

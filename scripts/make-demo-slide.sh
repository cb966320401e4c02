#!/usr/bin/env bash
# Rebuilds demo/bccd/ (the built-in demo slide) from the full BCCD copy in the data root.
# 20 fields of BCCD's TEST split (never trained on), chosen to hold every leukocyte type BCCD
# test has: the one basophil, all 4 lymphocytes, all 3 monocytes, 6 eosinophil and 6 neutrophil fields.
# Usage: scripts/make-demo-slide.sh [DATA_ROOT]   (default: $LEUKOSCAN_DATA, else ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:-${LEUKOSCAN_DATA:-../shared/data}}/bccd"
dst=demo/bccd
ids=(
  BloodImage_00132                                                                 # BAS
  BloodImage_00021 BloodImage_00157 BloodImage_00229 BloodImage_00233              # LYM
  BloodImage_00015 BloodImage_00225 BloodImage_00323                               # MON
  BloodImage_00041 BloodImage_00057 BloodImage_00062 BloodImage_00137 BloodImage_00180 BloodImage_00253  # EOS
  BloodImage_00007 BloodImage_00031 BloodImage_00065 BloodImage_00136 BloodImage_00249 BloodImage_00303  # NEU
)
rm -rf "$dst"
mkdir -p "$dst/JPEGImages" "$dst/Annotations" "$dst/ImageSets/Main"
cp "$src/LICENSE" "$dst/LICENSE"
head -n 1 "$src/wbc_types.csv" > "$dst/wbc_types.csv"
: > "$dst/ImageSets/Main/test.txt"
for id in "${ids[@]}"; do
  grep -qx "$id" "$src/ImageSets/Main/test.txt" || { echo "$id is not in BCCD test" >&2; exit 1; }
  cp "$src/JPEGImages/$id.jpg" "$dst/JPEGImages/"
  cp "$src/Annotations/$id.xml" "$dst/Annotations/"
  grep "^$id.jpg," "$src/wbc_types.csv" >> "$dst/wbc_types.csv"
  echo "$id" >> "$dst/ImageSets/Main/test.txt"
done
du -sh demo

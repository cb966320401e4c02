"""Merge the cell colour reference (bench/calibration-reference.ts --json) into a model card's
colourReference: cellLabMean, cellLabStd and cellSource, which the calibration's colour fit reads
(src/detect/auto-calibrator.ts colourReferenceOf). training.export writes the background and whole-
frame statistics only; without these three keys `--calibration auto` skips the stain step.

    /usr/bin/python3 scripts/card-cell-reference.py REF.json CARD.json [CARD.json ...]
"""
import json
import sys


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    with open(argv[1]) as f:
        ref = json.load(f)
    for path in argv[2:]:
        with open(path) as f:
            card = json.load(f)
        card["colourReference"].update({k: ref[k] for k in ("cellLabMean", "cellLabStd", "cellSource")})
        with open(path, "w") as f:
            json.dump(card, f, indent=2)
            f.write("\n")
        print(f"card-cell-reference: {path}")


if __name__ == "__main__":
    main(sys.argv)

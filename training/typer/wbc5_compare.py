"""WBC-5 through the detector, leukocytes re-typed by each of several typers (the ship figure).

    /usr/bin/python3 -m training.typer.wbc5_compare --onnx models/leukoscan-lite.onnx \
        --typer models/leukoscan-typer.onnx --typer ~/.cache/leukoscan/typer-r2-finetune/last.pt

WBC-5 is the typed leukocytes of BCCD test (70) plus TXL's PBC test fields (47): 117 cells. The
detector runs once (its outputs are replayed for each typer); each typer re-types its leukocyte
detections as the pipeline does (training.evaluate.evaluate_wbc5 with typer=...).
"""
import argparse
import json
import os

import numpy as np

from ..evaluate import card_path, evaluate_wbc5, format_wbc5, load_typer, onnx_runner


class ReplayRunner:
    """Calls the wrapped runner on the first pass and replays its outputs, in call order, after
    `rewind()`: the records and batches of each evaluate_wbc5 pass are the same."""

    def __init__(self, runner):
        self.runner, self.outputs, self.i = runner, [], 0

    def rewind(self):
        self.i = 0

    def __call__(self, batch):
        if self.i == len(self.outputs):
            self.outputs.append(self.runner(batch))
        out = self.outputs[self.i]
        self.i += 1
        return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx", default="models/leukoscan-lite.onnx", help="detector ONNX beside its card")
    ap.add_argument("--typer", action="append", required=True)
    ap.add_argument("--data", default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    with open(card_path(args.onnx)) as f:
        card = json.load(f)
    cfg = dict(card["config"], input_w=card["input"]["width"], input_h=card["input"]["height"])
    runner = ReplayRunner(onnx_runner(args.onnx))
    res = {}
    for path in args.typer:
        runner.rewind()
        ap5, conf, counts = evaluate_wbc5(runner, cfg, args.data, nms=card.get("postprocess"), typer=load_typer(path))
        right = int(np.trace(conf[:, :5]))
        print(f"\nWBC-5 ({sum(counts.values())} cells), re-typed by {path}: {right} of {sum(counts.values())} typed right")
        print(format_wbc5(ap5, conf, counts))
        res[os.path.abspath(path)] = {"right": right, "n": sum(counts.values()), "confusion": conf.tolist(),
                                      "ap": {k: round(v, 2) for k, v in ap5.items()}}
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"detector": os.path.abspath(args.onnx), "typers": res}, f, indent=1)


if __name__ == "__main__":
    main()

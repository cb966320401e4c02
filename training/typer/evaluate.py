"""Typer evaluation on the typed leukocytes of BCCD test and TXL's PBC test (ground-truth boxes).

    /usr/bin/python3 -m training.typer.evaluate --checkpoint ~/.cache/leukoscan/typer/last.pt
"""
import argparse
import json
import os
from typing import Dict, List

import numpy as np
import torch

from ..config import MEAN, STD
from .crops import Sample, crop_rgb, typed_boxes
from .model import TYPES, DihedralTTA, TyperNet


def to_input(crops: List[np.ndarray]) -> torch.Tensor:
    """uint8 crops [S, S, 3] -> [N, 3, S, S] normalised as the detector's input."""
    x = torch.from_numpy(np.stack(crops)).permute(0, 3, 1, 2).float() / 255.0
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


@torch.no_grad()
def confusion(model: TyperNet, samples: List[Sample], size: int) -> np.ndarray:
    """-> [5, 5] counts, rows true type, columns predicted type (argmax)."""
    model.eval()
    conf = np.zeros((5, 5), dtype=int)
    for i in range(0, len(samples), 64):
        chunk = samples[i:i + 64]
        pred = model(to_input([crop_rgb(img, box, size) for img, box, _, _ in chunk])).argmax(1)
        for (_, _, t, _), p in zip(chunk, pred.tolist()):
            conf[t, p] += 1
    return conf


def evaluate(model: TyperNet, size: int, data_root: str = None) -> Dict:
    test = typed_boxes("test", data_root)
    out = {}
    for name, src in (("BCCD test", "BCCD"), ("PBC test", "PBC")):
        c = confusion(model, [s for s in test if s[3] == src], size)
        out[name] = {"accuracy": round(float(np.trace(c) / max(c.sum(), 1)), 4), "n": int(c.sum()), "confusion": c.tolist()}
    return out


def format_confusion(name: str, res: Dict) -> str:
    lines = [f"{name}: accuracy {100 * res['accuracy']:.1f}% of {res['n']} typed leukocytes",
             "true\\pred " + " ".join(f"{t:>5}" for t in TYPES)]
    for t, row in zip(TYPES, res["confusion"]):
        lines.append(f"{t:<9} " + " ".join(f"{v:>5d}" for v in row))
    return "\n".join(lines)


def load(path: str):
    if not os.path.exists(path):
        raise SystemExit(f"typer checkpoint not found: {path}")
    ck = torch.load(path, map_location="cpu")
    model = TyperNet()
    model.load_state_dict(ck["model"])
    return model.eval(), ck


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--data", default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    model, ck = load(args.checkpoint)
    res = {"single view": evaluate(model, ck["size"], args.data),
           "8-view TTA": evaluate(DihedralTTA(model).eval(), ck["size"], args.data)}
    for mode, r_mode in res.items():
        for name, r in r_mode.items():
            print(f"[{mode}] " + format_confusion(name, r) + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()

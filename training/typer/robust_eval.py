"""The typer on clean and shifted fields: accuracy and confusion per (set, shift), typers side by side.

    /usr/bin/python3 -m training.typer.robust_eval --typer models/leukoscan-typer.onnx \
        --typer ~/.cache/leukoscan/typer-r1/last.pt --sets test --json typer-test.json

Ground-truth boxes (the typer alone, as `training.typer.evaluate`). Each field is shifted as a
whole (`shifts.SHIFTS`), then white-balanced as the pipeline does (`--wb both` also gives the raw
rows), then cropped by the crop rule. Sets: 'test' = BCCD test typed boxes + TXL's PBC test fields
(the shipped figures), 'val' = the hold-out of `crops.robust_splits` (for choosing; never test).
A typer is a training checkpoint (wrapped with TTA and the prior correction as shipped) or an ONNX
file beside its card (run by onnxruntime-node), through `training.evaluate.load_typer`.
"""
import argparse
import json
import os
from typing import Dict, List

import numpy as np
import torch

from .crops import Sample, crop_rgb, image_of, robust_splits, typed_boxes
from .evaluate import format_confusion, to_input
from .shifts import SHIFTS, apply_shift


def group_sets(name: str, data_root: str = None) -> Dict[str, List[Sample]]:
    """name 'test' | 'val' -> set name -> samples."""
    if name == "test":
        s = typed_boxes("test", data_root)
        return {"BCCD test": [x for x in s if x[3] == "BCCD"], "TXL PBC test": [x for x in s if x[3] == "PBC"]}
    _, v = robust_splits(data_root)
    return {"BCCD val": [x for x in v if x[3] == "BCCD"], "TXL PBC val": [x for x in v if x[3] == "PBC"],
            "PBC-crops val": [x for x in v if x[3] == "PBC-crops"]}


def shifted_crops(samples: List[Sample], shift: str, white_balance: bool, size: int) -> List[np.ndarray]:
    """Crops [size, size, 3] of each sample's box in its shifted (then white-balanced) field; each
    field is shifted once for all its boxes."""
    cache, out = {}, []
    for s in samples:
        key = s[0] if isinstance(s[0], str) else id(s[0])
        if key not in cache:
            cache = {key: apply_shift(shift, image_of(s), white_balance)}
        out.append(crop_rgb(cache[key], s[1], size))
    return out


@torch.no_grad()
def confusion_of(typer, crops: List[np.ndarray], types: List[int]) -> np.ndarray:
    """typer: crops [N, 3, S, S] -> logits [N, 5]. -> [5, 5] counts, rows true, columns predicted."""
    conf = np.zeros((5, 5), dtype=int)
    pred = typer(to_input(crops)).argmax(1).tolist()
    for t, p in zip(types, pred):
        conf[t, p] += 1
    return conf


def measure(typers: Dict[str, tuple], sets: Dict[str, List[Sample]], shifts: List[str], wb_modes: List[bool]) -> List[Dict]:
    """typers: name -> (module, crop size). -> rows {set, shift, wb, n, typers: {name: {accuracy, confusion}}}."""
    rows = []
    for set_name, samples in sets.items():
        types = [s[2] for s in samples]
        for shift in shifts:
            for wb in wb_modes:
                row = {"set": set_name, "shift": shift, "wb": wb, "n": len(samples), "typers": {}}
                crops_by_size = {}
                for name, (typer, size) in typers.items():
                    if size not in crops_by_size:
                        crops_by_size[size] = shifted_crops(samples, shift, wb, size)
                    c = confusion_of(typer, crops_by_size[size], types)
                    row["typers"][name] = {"accuracy": round(float(np.trace(c) / max(c.sum(), 1)), 4),
                                           "right": int(np.trace(c)), "confusion": c.tolist()}
                rows.append(row)
                print(format_row(row, list(typers)), flush=True)
    return rows


def format_row(row: Dict, names: List[str]) -> str:
    cells = []
    for n in names:
        r = row["typers"][n]
        c = np.asarray(r["confusion"])
        cells.append(f"{100 * r['accuracy']:.1f} ({r['right']}/{row['n']}; N→E {c[0, 3]}, E→N {c[3, 0]})")
    return f"| {row['set']} | {row['shift']} | {'yes' if row['wb'] else 'no'} | " + " | ".join(cells) + " |"


def markdown(rows: List[Dict], names: List[str]) -> str:
    head = "| set | shift | white balance | " + " | ".join(names) + " |\n|---|---|---|" + "---|" * len(names)
    return "\n".join([head] + [format_row(r, names) for r in rows])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--typer", action="append", required=True, help="checkpoint .pt or .onnx (repeatable)")
    ap.add_argument("--name", action="append", default=None, help="column name per --typer")
    ap.add_argument("--sets", choices=("test", "val"), default="test")
    ap.add_argument("--shifts", default=",".join(SHIFTS), help="comma-separated, of: " + ", ".join(SHIFTS))
    ap.add_argument("--wb", choices=("on", "off", "both"), default="on", help="the pipeline's white balance")
    ap.add_argument("--only", default=None, help="comma-separated set names to keep (e.g. 'BCCD val,TXL PBC val')")
    ap.add_argument("--confusions", action="store_true", help="also print every confusion matrix")
    ap.add_argument("--data", default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    from ..evaluate import load_typer
    names = args.name or [os.path.basename(os.path.dirname(p)) if p.endswith(".pt") else os.path.basename(p)
                          for p in args.typer]
    if len(names) != len(args.typer):
        raise SystemExit(f"{len(names)} --name for {len(args.typer)} --typer")
    typers = {n: load_typer(p) for n, p in zip(names, args.typer)}
    for t, _ in typers.values():
        if isinstance(t, torch.nn.Module):
            t.eval()
    wb_modes = {"on": [True], "off": [False], "both": [False, True]}[args.wb]
    shifts = [s.strip() for s in args.shifts.split(",") if s.strip()]
    sets = group_sets(args.sets, args.data)
    if args.only:
        keep = [n.strip() for n in args.only.split(",")]
        missing = [n for n in keep if n not in sets]
        if missing:
            raise SystemExit(f"unknown set(s) {missing} (known: {', '.join(sets)})")
        sets = {n: sets[n] for n in keep}
    rows = measure(typers, sets, shifts, wb_modes)
    print("\n" + markdown(rows, names))
    if args.confusions:
        for r in rows:
            for n in names:
                res = {"accuracy": r["typers"][n]["accuracy"], "n": r["n"], "confusion": r["typers"][n]["confusion"]}
                print(f"\n[{n}] " + format_confusion(f"{r['set']}, {r['shift']}, wb {'on' if r['wb'] else 'off'}", res))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"typers": dict(zip(names, map(os.path.abspath, args.typer))), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()

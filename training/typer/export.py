"""Export the typer to ONNX with its card and golden fixtures.

    /usr/bin/python3 -m training.typer.export --checkpoint ~/.cache/leukoscan/typer/last.pt

Writes models/leukoscan-typer.onnx (input `images` float32 [N, 3, S, S], output `logits` [N, 5]
before the softmax), models/leukoscan-typer.json (the card: types, crop rule, normalisation, training
data, metrics) and test/fixtures/golden-typer/leukoscan-typer/ (a fixed frame, boxes, the crop squares
and PyTorch's logits) for the TypeScript parity test.
"""
import argparse
import datetime
import json
import os

import numpy as np
import torch
from PIL import Image

from ..config import MEAN, STD
from ..export import REPO, golden_image, sha256
from .crops import CROP_PAD, crop_rgb, crop_square
from .evaluate import evaluate, format_confusion, load, to_input
from .model import TYPES, DihedralTTA, PriorShift
from .train import sampling_prior

# Fixed boxes on the 640 x 480 golden frame: inside, on the left edge, in a corner, larger than the frame.
GOLDEN_BOXES = [[250.0, 180.0, 330.5, 262.25], [-12.0, 100.0, 60.0, 170.0], [590.0, 430.0, 645.0, 484.0],
                [10.0, 5.0, 630.0, 600.0], [300.0, 300.0, 304.0, 303.0]]


def shipped_typer(net, ck: dict, tta: bool = True, prior: str = "bccd-trainval"):
    """The typer as shipped: the network, 8-view TTA, then the label-shift correction to the target
    prior. -> (module, training prior [5], target prior [5] or None)."""
    model = DihedralTTA(net).eval() if tta else net
    train_prior = sampling_prior(ck["train_counts"], ck["args"]["bccd_weight"])
    target_prior = None
    if prior == "bccd-trainval":
        c = np.asarray(ck["train_counts"]["BCCD"], float) + 0.5  # add-half smoothing: BCCD has 1 basophil
        target_prior = c / c.sum()
        model = PriorShift(model, train_prior, target_prior).eval()
    return model, train_prior, target_prior


def training_data(ck: dict) -> list:
    splits = ck["args"].get("splits", "shipped")
    b, p = ck["train_counts"]["BCCD"], ck["train_counts"]["PBC"]
    if splits == "robust":
        return ["BCCD trainval typed leukocytes (bccd/wbc_types.csv, status ok) but every second image of val.txt "
                "(held out for validation): " + str(b),
                "PBC (CellaVision, May-Grunwald-Giemsa): TXL-PBC train PBC fields + pbc_crops/ but the last 60 per type "
                "(held out): " + str(p)]
    return ["BCCD trainval typed leukocytes (bccd/wbc_types.csv, status ok): " + str(b),
            "PBC: TXL-PBC train PBC fields + pbc_crops/ (up to %d per type): %s" % (ck["args"]["pbc_per_type"], p)]


def augmentations(ck: dict):
    """The training views, from the checkpoint's --views (views.ViewConfig for robust/basic)."""
    from dataclasses import asdict
    from .views import ViewConfig
    views = ck["args"].get("views", "legacy")
    if views == "legacy":
        return {"views": "legacy", "what": "box jitter (centre +-8%, side 0.85-1.2), 90-degree rotations, flips, "
                "colour_jitter (per-channel gain, gamma, saturation, contrast, brightness)"}
    cfg = ViewConfig.robust() if views == "robust" else ViewConfig.basic()
    return {"views": views, "order": "box jitter -> context region -> resolution loss (cell width log-uniform in cell_px) "
            "-> HED stain jitter -> hue -> saturation -> gamma -> brightness/contrast -> lamp tint -> defocus -> motion "
            "blur -> sensor noise -> JPEG -> pipeline white balance -> crop rule -> dihedral group",
            "config": asdict(cfg)}


def cross_device(paths: list, name: str = None) -> list:
    """robust_eval --json outputs -> this typer's rows [{set, shift, whiteBalance, n, accuracy, confusion}].
    name: the typer's column (needed when a file holds several typers)."""
    out = []
    for path in paths:
        with open(path) as f:
            res = json.load(f)
        col = name or next(iter(res["typers"]))
        if col not in res["typers"] or (name is None and len(res["typers"]) != 1):
            raise SystemExit(f"{path}: typer columns {list(res['typers'])}; pick one with --cross-device-typer")
        out += [{"set": r["set"], "shift": r["shift"], "whiteBalance": r["wb"], "n": r["n"],
                 "accuracy": r["typers"][col]["accuracy"], "confusion": r["typers"][col]["confusion"]} for r in res["rows"]]
    return out


def export_onnx(model, size: int, path: str, opset: int = 17):
    x = torch.zeros(2, 3, size, size)
    torch.onnx.export(model.eval(), x, path, input_names=["images"], output_names=["logits"], opset_version=opset,
                      dynamic_axes={"images": {0: "n"}, "logits": {0: "n"}}, do_constant_folding=True)


def write_golden(model, size: int, out_dir: str):
    os.makedirs(out_dir, exist_ok=True)
    img = golden_image(640, 480, seed=11)
    Image.fromarray(img).save(os.path.join(out_dir, "input.png"))
    crops = [crop_rgb(img, b, size) for b in GOLDEN_BOXES]
    with torch.no_grad():
        logits = model(to_input(crops))
    with open(os.path.join(out_dir, "typer.json"), "w") as f:
        json.dump({"boxes_xyxy": GOLDEN_BOXES, "squares": [list(crop_square(b, 640, 480)) for b in GOLDEN_BOXES],
                   "crop_sums": [int(c.astype(np.int64).sum()) for c in crops],
                   "logits": [[round(v, 6) for v in row] for row in logits.tolist()]}, f, indent=1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--name", default="leukoscan-typer")
    ap.add_argument("--models-dir", default=os.path.join(REPO, "models"))
    ap.add_argument("--golden-dir", default=os.path.join(REPO, "test", "fixtures", "golden-typer"))
    ap.add_argument("--data", default=None)
    ap.add_argument("--no-tta", action="store_true", help="export the single-view network (no dihedral TTA)")
    ap.add_argument("--prior", choices=("bccd-trainval", "none"), default="bccd-trainval",
                    help="target type prior for the label-shift correction: the type frequencies of BCCD trainval "
                    "(the training split of the smears the pipeline is measured on), or none (the sampler's)")
    ap.add_argument("--cross-device", action="append", default=None, help="robust_eval --json output(s) with this "
                    "typer on the test sets (clean and shifted rows) to put in the card (repeatable)")
    ap.add_argument("--cross-device-typer", default=None, help="the typer's column name in those files")
    args = ap.parse_args(argv)
    net, ck = load(args.checkpoint)
    size = ck["size"]
    model, train_prior, target_prior = shipped_typer(net, ck, not args.no_tta, args.prior)
    os.makedirs(args.models_dir, exist_ok=True)
    onnx_path = os.path.join(args.models_dir, f"{args.name}.onnx")
    export_onnx(model, size, onnx_path)
    write_golden(model, size, os.path.join(args.golden_dir, args.name))
    metrics = evaluate(model, size, args.data)
    single = evaluate(net, size, args.data)
    card = {
        "name": args.name,
        "kind": "leukocyte-typer",
        "architecture": "TyperNet: 4 stride-2 conv stages (32-64-128-256), global average pool, linear",
        "classes": TYPES,
        "input": {"width": size, "height": size},
        "crop": {"rule": "square-clamped", "pad": CROP_PAD, "resize": "pil-bilinear"},
        "mean": MEAN,
        "std": STD,
        "pixelScale": "rgb/255",
        "outputs": {"logits": "logits", "scoring": "softmax over classes"},
        "testTimeAugmentation": "none" if args.no_tta else "8 dihedral views of the crop, mean logits, inside the ONNX graph",
        "priorCorrection": None if target_prior is None else {
            "what": "logits + log(target / training prior), inside the ONNX graph",
            "trainingPrior": [round(float(v), 4) for v in train_prior],
            "targetPrior": [round(float(v), 4) for v in target_prior], "target": "type frequencies of the BCCD training cells (add-half smoothed)"},
        "trainingData": training_data(ck),
        "augmentations": augmentations(ck),
        "training": {"iterations": ck["iter"], "batch": ck["args"]["batch"], "bccdWeight": ck["args"]["bccd_weight"],
                     "pretrained": "none (from scratch)" if not ck["args"].get("init") else
                     "fine-tuned from " + os.path.basename(os.path.dirname(str(ck["args"]["init"]))) + " (its --init)",
                     "lr": ck["args"].get("lr")},
        "metrics": {"groundTruthBoxes": metrics, "groundTruthBoxesSingleViewNoPrior": single,
                    **({"crossDevice": cross_device(args.cross_device, args.cross_device_typer)} if args.cross_device else {})},
        "onnx": {"sha256": sha256(onnx_path), "bytes": os.path.getsize(onnx_path)},
        "date": datetime.date.today().isoformat(),
    }
    with open(os.path.join(args.models_dir, f"{args.name}.json"), "w") as f:
        json.dump(card, f, indent=2)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB), card and golden fixtures")
    for name, r in metrics.items():
        print(f"{name}: accuracy {100 * r['accuracy']:.1f}% of {r['n']} (single view, no prior correction "
              f"{100 * single[name]['accuracy']:.1f}%)")
        print(format_confusion(name, r))


if __name__ == "__main__":
    main()

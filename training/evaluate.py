"""Evaluation: BCCD-3 (paper Table 5) and WBC-5 (the differential), for a checkpoint or an ONNX
model, or for a predictions file (the `leukoscan detect --format coco` output) to compare evaluators.

    /usr/bin/python3 -m training.evaluate --checkpoint ~/.cache/leukoscan/lite/last.pt
    /usr/bin/python3 -m training.evaluate --onnx models/leukoscan-lite.onnx
    /usr/bin/python3 -m training.evaluate --predictions preds.json [--merge-wbc]
"""
import argparse
import json
import os
import sys
from typing import Dict, List, Optional

import numpy as np
import torch

from .coco_eval import coco_eval
from .config import CLASSES, LEUKOCYTE_IDS, POSTPROCESS, UNTYPED_WBC
from .data import sources
from .data.annotations import Record
from .cards import card_path, sha256
from .checkpoints import load_checkpoint
from .detector_eval import BCCD3, MERGED_ORDER, TorchRunner, evaluate_bccd, gt_bccd3, predict, retype, xyxy_to_xywh  # noqa: F401
from .postprocess import postprocess

PAPER_ROWS = [
    ("Deformable-DETR (paper)", 64.4, 93.7, 70.6, 61.6, 80.7, 50.9),
    ("MFDS-DETR (paper)", 67.4, 95.3, 74.1, 63.7, 84.8, 53.6),
]
TYPES = CLASSES[:5]


def onnx_runner(path: str):
    """The detector file as a runner: Python onnxruntime where it is installed, else onnxruntime-node."""
    try:
        import onnxruntime as ort
    except ImportError:
        from .ort_node import NodeOnnxRunner
        return NodeOnnxRunner(path)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])

    def run(batch: torch.Tensor):
        logits, boxes = sess.run(["logits", "boxes"], {"images": batch.numpy()})
        return torch.from_numpy(logits), torch.from_numpy(boxes)
    return run


def load_typer(path: str):
    """-> (typer as shipped: crops [N, 3, S, S] -> logits [N, 5], crop size S). path: a training
    checkpoint (.pt; wrapped with TTA and prior correction as export does) or the shipped .onnx
    file beside its card (run by onnxruntime-node)."""
    if path.endswith(".onnx"):
        from .ort_node import NodeOnnxTyper
        card = card_path(path)
        if not os.path.exists(card):
            raise SystemExit(f"typer card not found beside {path}: {card}")
        with open(card) as f:
            return NodeOnnxTyper(path), int(json.load(f)["input"]["width"])
    from .typer.evaluate import load
    from .typer.export import shipped_typer
    net, tck = load(path)
    return shipped_typer(net, tck)[0], tck["size"]


def wbc5_records(data_root: str = None) -> List[Record]:
    """Typed leukocytes of BCCD test plus the PBC images of TXL test. Boxes other than typed
    leukocytes are dropped; images keep only their typed leukocyte boxes."""
    out = []
    for r in sources.bccd("test", data_root) + sources.txl("test", data_root, sources=("PBC",)):
        keep = [i for i, l in enumerate(r.labels) if l in LEUKOCYTE_IDS]
        untyped = any(l == UNTYPED_WBC for l in r.labels)
        if keep and not untyped:
            out.append(Record(r.image_path, r.width, r.height, [r.boxes[i] for i in keep],
                              [r.labels[i] for i in keep], r.source, r.image_id))
    return out


def evaluate_wbc5(runner, cfg: dict, data_root: str = None, iou: float = 0.5, nms: Optional[Dict] = POSTPROCESS,
                  typer=None):
    """Per-type AP on typed leukocytes (other classes' predictions dropped) and the confusion
    matrix of matched leukocytes (true type x predicted type, IoU >= iou, best-scoring leukocyte)."""
    records = wbc5_records(data_root)
    preds = predict(runner, records, cfg, merge_wbc=False, nms=nms, typer=typer)
    gts = {r.image_id: {"boxes": xyxy_to_xywh(r.boxes), "labels": np.array([CLASSES[l] for l in r.labels], dtype=object)}
           for r in records}
    typed_preds = {}
    for k, d in preds.items():
        m = np.isin(d["labels"], TYPES)
        typed_preds[k] = {"boxes": d["boxes"][m], "scores": d["scores"][m], "labels": d["labels"][m]}
    ap = coco_eval(gts, typed_preds, TYPES)
    # merged-leukocyte predictions for the confusion matrix: best type per predicted box
    conf = np.zeros((5, 6), dtype=int)  # last column: missed
    from .coco_eval import iou_xywh
    for k, g in gts.items():
        d = typed_preds[k]
        for gi in range(len(g["labels"])):
            t = TYPES.index(g["labels"][gi])
            ious = iou_xywh(d["boxes"], g["boxes"][gi:gi + 1])[:, 0] if len(d["boxes"]) else np.zeros(0)
            cand = np.where(ious >= iou)[0]
            if len(cand) == 0:
                conf[t, 5] += 1
                continue
            best = cand[np.argmax(d["scores"][cand])]
            conf[t, TYPES.index(d["labels"][best])] += 1
    counts = {t: int(sum(1 for r in records for l in r.labels if CLASSES[l] == t)) for t in TYPES}
    return ap, conf, counts


def format_bccd_table(res: Dict[str, float], name: str) -> str:
    head = f"{'model':<28} {'AP':>6} {'AP50':>6} {'AP75':>6} {'RBC':>6} {'WBC':>6} {'Plt':>6}"
    lines = [head, "-" * len(head)]
    for row in PAPER_ROWS:
        lines.append(f"{row[0]:<28} " + " ".join(f"{v:>6.1f}" for v in row[1:]))
    lines.append(f"{name:<28} " + " ".join(f"{res[k]:>6.1f}" for k in ("AP", "AP50", "AP75", "AP/RBC", "AP/WBC", "AP/Platelets")))
    return "\n".join(lines)


def format_wbc5(ap, conf, counts) -> str:
    lines = [f"{'type':<6} {'n':>4} {'AP':>6} {'AP50':>6}"]
    for t in TYPES:
        lines.append(f"{t:<6} {counts[t]:>4} {ap[f'AP/{t}']:>6.1f} {ap[f'AP50/{t}']:>6.1f}")
    lines.append(f"mean AP {ap['AP']:.1f}, AP50 {ap['AP50']:.1f}")
    lines.append("confusion (rows: true type; columns: predicted type, 'miss' = no leukocyte box at IoU>=0.5)")
    lines.append("       " + " ".join(f"{t:>5}" for t in TYPES + ["miss"]))
    for i, t in enumerate(TYPES):
        lines.append(f"{t:<6} " + " ".join(f"{v:>5d}" for v in conf[i]))
    return "\n".join(lines)


def predictions_from_file(path: str, merge_wbc: bool) -> Dict[str, Dict]:
    """`leukoscan detect --format coco` output: [{file_name, category, bbox [x,y,w,h], score}]."""
    with open(path) as f:
        rows = json.load(f)
    out: Dict[str, Dict] = {}
    for r in rows:
        key = os.path.splitext(os.path.basename(r["file_name"]))[0]
        cat = r["category"]
        if merge_wbc and cat in TYPES:
            cat = "WBC"
        d = out.setdefault(key, {"boxes": [], "scores": [], "labels": []})
        d["boxes"].append(r["bbox"]), d["scores"].append(r["score"]), d["labels"].append(cat)
    return {k: {"boxes": np.asarray(v["boxes"], float).reshape(-1, 4), "scores": np.asarray(v["scores"], float),
                "labels": np.asarray(v["labels"], dtype=object)} for k, v in out.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint")
    src.add_argument("--onnx")
    src.add_argument("--predictions", help="COCO-style predictions file (BCCD test, VOC labels)")
    ap.add_argument("--merge-wbc", action="store_true", help="with --predictions: merge the five types into WBC")
    ap.add_argument("--data", default=None)
    ap.add_argument("--json", default=None, help="write the metrics here")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--weights", choices=("ema", "model"), default="ema",
                    help="with --checkpoint: the weight average (default) or the last training iterate")
    ap.add_argument("--no-nms", action="store_true", help="plain Deformable-DETR post-processing (no NMS)")
    ap.add_argument("--typer", default=None, help="typer checkpoint (training.typer.train) or shipped typer .onnx "
                    "(models/leukoscan-typer.onnx): WBC-5 also with the leukocytes re-typed by it as shipped "
                    "(8-view TTA, prior correction)")
    ap.add_argument("--agreement-power", type=float, default=None,
                    help="with --checkpoint: leukocyte scores x decoder box agreement ** this (models/scoring.py; "
                    "default: the shipped power; 0: the plain class scores). An ONNX file carries its own")
    ap.add_argument("--cross-device", type=int, default=0, metavar="N",
                    help="also the cross-device table (training/cross_device.py) on the first N BCCD test fields")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)

    if args.predictions:
        records = sources.bccd("test", args.data)
        preds = predictions_from_file(args.predictions, args.merge_wbc)
        cats = BCCD3 if args.merge_wbc else sorted({l for d in preds.values() for l in d["labels"]})
        res = coco_eval(gt_bccd3(records), preds, cats)
        print(json.dumps({k: round(v, 3) for k, v in res.items()}))
        return
    if args.checkpoint:
        model, cfg = load_checkpoint(args.checkpoint, args.weights, args.agreement_power)
        runner, name = TorchRunner(model, cfg), os.path.basename(os.path.dirname(args.checkpoint))
        nms, power = POSTPROCESS, model.agreement_power
    else:
        with open(card_path(args.onnx)) as f:
            card = json.load(f)
        cfg = dict(card["config"], input_w=card["input"]["width"], input_h=card["input"]["height"])
        runner, name = onnx_runner(args.onnx), os.path.basename(args.onnx)
        nms, power = card.get("postprocess"), card.get("leukocyteAgreementPower", 0)
    nms = None if args.no_nms else nms
    res = evaluate_bccd(None, cfg, args.data, runner=runner, nms=nms)
    print("BCCD-3 test (72 images), COCO AP, five types merged into WBC; "
          + (f"NMS at IoU {nms['nmsIou']}" if nms else "no NMS")
          + (f"; leukocyte scores x box agreement^{power:g}" if power else "; plain class scores"))
    print(format_bccd_table(res, name))
    ap5, conf, counts = evaluate_wbc5(runner, cfg, args.data, nms=nms)
    print("\nWBC-5: typed leukocytes of BCCD test + PBC images of TXL test; types from the detector")
    print(format_wbc5(ap5, conf, counts))
    typed = None
    if args.typer:
        ap5t, conft, _ = evaluate_wbc5(runner, cfg, args.data, nms=nms, typer=load_typer(args.typer))
        print(f"\nWBC-5, leukocytes re-typed by the typer ({args.typer})")
        print(format_wbc5(ap5t, conft, counts))
        typed = {"typer": os.path.abspath(args.typer), "ap": {k: round(v, 2) for k, v in ap5t.items()},
                 "confusion": conft.tolist()}
        if args.typer.endswith(".onnx"):
            typed["typerSha256"] = sha256(args.typer)
    cross = None
    if args.cross_device:
        from .cross_device import bccd_test_fields, cross_device_rows, format_table
        print(f"\nCross-device: the first {args.cross_device} BCCD test fields through simulated devices (no calibration)")
        cross = cross_device_rows(runner, cfg, bccd_test_fields(args.cross_device, args.data), nms=nms)
        print(format_table({name: cross}))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"postprocess": nms, "agreementPower": power, "crossDevice": cross,
                       "bccd3": res, "wbc5": {"ap": {k: round(v, 2) for k, v in ap5.items()},
                                              "confusion": conf.tolist(), "counts": counts},
                       "wbc5WithTyper": typed}, f, indent=2)


if __name__ == "__main__":
    main()

"""Cross-device evaluation in PyTorch: BCCD test fields rendered through fixed simulated devices.

    /usr/bin/python3 -m training.cross_device --checkpoint CKPT [--checkpoint CKPT2 ...] [--fields 72] \
        [--devices clean,zoom0.6,...] [--json OUT]

Each device is a fixed chain of the training augmentations (training/data/{scale,stain,optics}.py)
with fixed parameters and a fixed seed per field, so every model sees the same frames. There is no
calibration here: a ×0.6 device is scored at ×0.6 (the TypeScript `bench/devices.ts` runs the
pipeline's calibration). Zoomed-out frames are mosaics of neighbouring test fields, as in training;
their ground truth comes along. Per device: BCCD-3 COCO AP (five types merged into WBC), AP50, WBC AP,
WBC AP50, leukocyte recall@0.5 at the pipeline's score threshold, and the detector's own type accuracy
on BCCD's typed leukocytes it found.
"""
import argparse
import json
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .coco_eval import coco_eval, iou_xywh
from .config import CLASSES, LEUKOCYTE_IDS, POSTPROCESS, UNTYPED_WBC
from .data import optics, scale, sources, stain
from .data.dataset import load_rgb
from .data.transforms import to_tensor
from .detector_eval import BCCD3, MERGED_ORDER, xyxy_to_xywh as xywh
from .postprocess import postprocess

SCORE_THRESHOLD = 0.15  # src/detect/config.ts DETECT_DEFAULTS.scoreThreshold


@dataclass(frozen=True)
class Device:
    name: str
    zoom: float = 1.0  # RBC diameter relative to BCCD's
    hed: Optional[Tuple[Sequence[float], Sequence[float]]] = None  # (alpha [3], beta [3])
    tint: Optional[Sequence[float]] = None  # background gain [3]
    hue: float = 0.0  # degrees
    defocus: float = 0.0  # disc radius px (model input)
    motion: float = 0.0  # line length px
    noise: Tuple[float, float] = (0.0, 0.0)  # (read sigma, photons at full scale)
    jpeg: int = 0  # quality, 0: none
    vignette: float = 0.0
    eyepiece: float = 0.0  # circle radius / frame width, 0: none


DEVICES = [
    Device("clean"),
    Device("zoom0.6", zoom=0.6),
    Device("zoom1.5", zoom=1.5),
    Device("other-stain", hed=((1.5, 0.7, 1.0), (0.08, -0.04, 0.04))),
    Device("blue-lamp", tint=(0.82, 0.95, 1.05), hue=-8),
    Device("defocus", defocus=2.5),
    Device("motion", motion=7),
    Device("jpeg30-noise", jpeg=30, noise=(5.0, 200.0)),
    Device("phone-eyepiece", zoom=0.6, eyepiece=0.5, vignette=0.3, jpeg=60, noise=(3.0, 500.0)),
]


def render(dev: Device, fields: List[Tuple[np.ndarray, np.ndarray, np.ndarray]], i: int, out_w: int, out_h: int,
           seed: int = 0):
    """Field i of `fields` (native img, boxes, labels) through `dev` -> model-input frame, boxes, labels.
    Zooming out tiles fields i+1, i+2, ... (cyclically) around it."""
    rng = np.random.default_rng([seed, i])
    img, boxes, labels = fields[i]
    f = dev.zoom * np.sqrt(out_w * out_h / (img.shape[1] * img.shape[0]))
    nxt = iter(fields[(i + k) % len(fields)] for k in range(1, 64))
    img, boxes, labels = scale.scaled_view(img, boxes, labels, rng, f, out_w, out_h, img.shape[1] / img.shape[0],
                                           lambda: next(nxt))
    if dev.hed:
        img = stain.hed_transform(img, *dev.hed)
    if dev.tint:
        img = stain.tint(img, dev.tint)
    if dev.hue:
        img = stain.hue_shift(img, dev.hue)
    if dev.vignette:
        img = optics.vignette(img, dev.vignette)
    img = optics.defocus(img, dev.defocus)
    img = optics.motion_blur(img, dev.motion, 30.0)
    if dev.noise[0] or dev.noise[1]:
        img = optics.sensor_noise(img, rng, *dev.noise)
    if dev.jpeg:
        img = optics.jpeg(img, dev.jpeg)
    if dev.eyepiece:
        img, boxes, labels = optics.eyepiece(img, boxes, labels, out_w / 2, out_h / 2, dev.eyepiece * out_w)
    return img, boxes, labels


def leukocyte_recall(gts: Dict, preds: Dict, iou: float = 0.5, min_score: float = SCORE_THRESHOLD) -> float:
    """Share of ground-truth WBC boxes matched one-to-one (greedy by score) by a WBC detection >= min_score."""
    found = total = 0
    for k, g in gts.items():
        gb = g["boxes"][g["labels"] == "WBC"]
        p = preds[k]
        sel = (p["labels"] == "WBC") & (p["scores"] >= min_score)
        db, ds = p["boxes"][sel], p["scores"][sel]
        ious = iou_xywh(db[np.argsort(-ds)], gb)
        used = np.zeros(len(gb), bool)
        for row in ious:
            row = np.where(used, -1, row)
            if len(row) and row.max() >= iou:
                used[row.argmax()] = True
        found, total = found + int(used.sum()), total + len(gb)
    return found / max(total, 1)


def type_accuracy(typed: List[Tuple[np.ndarray, np.ndarray]], dets: List[Dict]) -> Tuple[float, int]:
    """typed: per frame (boxes [T, 4] xyxy, types [T] in 0..4); dets: postprocess output (7 classes)
    -> (share of found typed leukocytes whose best-IoU leukocyte detection >= 0.5 has the right type, n found)."""
    right = n = 0
    for (gb, gt), d in zip(typed, dets):
        keep = (d["scores"] >= SCORE_THRESHOLD) & torch.isin(d["labels"], torch.tensor(LEUKOCYTE_IDS))
        db, dl = d["boxes"][keep].numpy(), d["labels"][keep].numpy()
        if len(gb) == 0 or len(db) == 0:
            continue
        ious = iou_xywh(xywh(gb), xywh(db))
        for j in range(len(gb)):
            if ious[j].max() >= 0.5:
                n += 1
                right += int(dl[ious[j].argmax()] == gt[j])
    return right / max(n, 1), n


@torch.no_grad()
def evaluate_device(model, cfg: dict, dev: Device, fields, batch_size: int = 4, seed: int = 0,
                    nms: Optional[Dict] = POSTPROCESS) -> Dict[str, float]:
    """model: images [N, 3, H, W] -> (logits, boxes) (a PyTorch model or evaluate's runners);
    fields: (native img, boxes xyxy, labels) per BCCD test field -> the device's metrics."""
    w, h = cfg["input_w"], cfg["input_h"]
    gts, preds, typed, dets7 = {}, {}, [], []
    for i0 in range(0, len(fields), batch_size):
        frames = [render(dev, fields, i, w, h, seed) for i in range(i0, min(i0 + batch_size, len(fields)))]
        logits, boxes = model(torch.stack([to_tensor(f[0]) for f in frames]))
        merged = postprocess(logits, boxes, [(w, h)] * len(frames), merge_wbc=True, nms=nms)
        dets7 += postprocess(logits, boxes, [(w, h)] * len(frames), nms=nms)
        for k, ((_, b, l), d) in enumerate(zip(frames, merged)):
            key = str(i0 + k)
            names = ["WBC" if (x in LEUKOCYTE_IDS or x == UNTYPED_WBC) else CLASSES[x] for x in l]
            gts[key] = {"boxes": xywh(b), "labels": np.array(names, dtype=object)}
            preds[key] = {"boxes": xywh(d["boxes"].numpy()), "scores": d["scores"].numpy(),
                          "labels": np.array([MERGED_ORDER[int(x)] for x in d["labels"]], dtype=object)}
            t = np.isin(l, LEUKOCYTE_IDS)
            typed.append((b[t], l[t]))
    res = coco_eval(gts, preds, BCCD3)
    wbc50 = coco_eval({k: {"boxes": g["boxes"][g["labels"] == "WBC"], "labels": g["labels"][g["labels"] == "WBC"]}
                       for k, g in gts.items()}, preds, ["WBC"])
    acc, n_typed = type_accuracy(typed, dets7)
    return {"AP": round(res["AP"], 1), "AP50": round(res["AP50"], 1), "WBC": round(res["AP/WBC"], 1),
            "WBC50": round(wbc50["AP50"], 1), "recall": round(100 * leukocyte_recall(gts, preds), 1),
            "typeAcc": round(100 * acc, 1), "typed": n_typed}


def bccd_test_fields(n: int, data_root: Optional[str] = None):
    """The first n BCCD test fields as (native img, boxes [T, 4] xyxy, labels [T])."""
    return [(load_rgb(r.image_path), np.asarray(r.boxes, np.float32).reshape(-1, 4), np.asarray(r.labels, np.int64))
            for r in sources.bccd("test", data_root)[:n]]


def cross_device_rows(model, cfg: dict, fields, names: Sequence[str] = tuple(d.name for d in DEVICES),
                      nms: Optional[Dict] = POSTPROCESS, seed: int = 0, log=print) -> Dict[str, Dict]:
    """device name -> metrics for one model."""
    by_name = {d.name: d for d in DEVICES}
    out = {}
    for n in names:
        out[n] = evaluate_device(model, cfg, by_name[n], fields, seed=seed, nms=nms)
        log(f"  {n}: {json.dumps(out[n])}")
    return out


def format_table(rows: Dict[str, Dict[str, Dict]]) -> str:
    """rows: model -> device -> metrics -> one markdown table, a row per device and model."""
    out = ["| device | model | AP | AP50 | WBC AP | WBC AP50 | WBC recall@0.5 | type acc (detector) |",
           "|---|---|---|---|---|---|---|---|"]
    devices = list(next(iter(rows.values())).keys())
    for d in devices:
        for m, per in rows.items():
            r = per[d]
            out.append(f"| {d} | {m} | {r['AP']} | {r['AP50']} | {r['WBC']} | {r['WBC50']} | {r['recall']} | "
                       f"{r['typeAcc']} (n={r['typed']}) |")
    return "\n".join(out)


def main(argv=None):
    from .checkpoints import load_checkpoint
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", action="append", required=True, help="repeat to compare models")
    ap.add_argument("--devices", default=",".join(d.name for d in DEVICES))
    ap.add_argument("--fields", type=int, default=72, help="first N BCCD test fields")
    ap.add_argument("--data", default=None)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    by_name = {d.name: d for d in DEVICES}
    unknown = [n for n in args.devices.split(",") if n not in by_name]
    if unknown:
        raise SystemExit(f"unknown device(s) {', '.join(unknown)} (choose from {', '.join(by_name)})")
    fields = bccd_test_fields(args.fields, args.data)
    rows: Dict[str, Dict[str, Dict]] = {}
    for path in args.checkpoint:
        model, cfg = load_checkpoint(path)
        name = os.path.basename(os.path.dirname(path)) or path
        print(f"[{name}]", flush=True)
        rows[name] = cross_device_rows(model, cfg, fields, args.devices.split(","), seed=args.seed,
                                       log=lambda m: print(m, flush=True))
    print(format_table(rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"fields": len(fields), "seed": args.seed, "scoreThreshold": SCORE_THRESHOLD,
                       "devices": {n: by_name[n].__dict__ for n in args.devices.split(",")}, "results": rows}, f,
                      indent=2)


if __name__ == "__main__":
    main()

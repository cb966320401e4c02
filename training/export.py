"""Export a trained checkpoint to ONNX with its model card and golden fixtures.

    /usr/bin/python3 -m training.export --checkpoint ~/.cache/leukoscan/lite-v1/last.pt --name leukoscan-lite

Writes models/<name>.onnx (input `images` float32 [N, 3, H, W]; outputs `logits` [N, Q, C] before
the sigmoid and `boxes` [N, Q, 4] cxcywh normalised to the input), models/<name>.json (the card)
and test/fixtures/golden/<name>/ (a fixed input image at the input size, the raw outputs and the
post-processed detections) for the TypeScript parity test.
"""
import argparse
import datetime
import json
import os

import numpy as np
import torch
from PIL import Image

from .config import CLASSES, MEAN, POSTPROCESS, STD
from .colour_stats import colour_reference
from .data import sources
from .data.dataset import load_rgb
from .data.transforms import to_tensor
from .postprocess import postprocess
from .cards import augmentation, card_path, card_training, sha256, training_history, training_scale  # noqa: F401 (sha256: typer/export.py)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN_SCORE_THRESHOLD = 0.05
GOLDEN_TOP_K = 100


def golden_image(w: int, h: int, seed: int = 7) -> np.ndarray:
    """A deterministic synthetic smear-like RGB image [h, w, 3] uint8: pink background, pale discs
    (red cells) and a few purple blobs (leukocyte nuclei). Generated, so it can be committed."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = (232, 214, 220)
    for _ in range(40):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.05, 0.08) * w
        d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
        ring = np.clip(1 - np.abs(d - 0.8 * r) / (0.25 * r), 0, 1)[..., None]
        disc = (d < r)[..., None]
        img = np.where(disc, img * 0.97 + np.array([205, 120, 130]) * 0.03 + ring * np.array([-25, -35, -25]), img)
    for _ in range(3):
        cx, cy, r = rng.uniform(0.15, 0.85) * w, rng.uniform(0.15, 0.85) * h, rng.uniform(0.06, 0.1) * w
        d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2 * rng.uniform(0.6, 1.4))
        img = np.where((d < r)[..., None], np.array([95, 60, 150], np.float32), img)
    img += rng.normal(0, 3, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


class ExportWrapper(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, images):
        return self.model(images)


def export_onnx(model, cfg: dict, path: str, opset: int = 16):
    """Trace in eval mode. The wrapper must be in eval mode too: export restores the wrapper's mode
    afterwards, and a wrapper left in training mode would switch the model's BatchNorm to training."""
    wrapper = ExportWrapper(model).eval()
    dummy = torch.zeros(1, 3, cfg["input_h"], cfg["input_w"])
    torch.onnx.export(wrapper, dummy, path, input_names=["images"], output_names=["logits", "boxes"],
                      dynamic_axes={"images": {0: "N"}, "logits": {0: "N"}, "boxes": {0: "N"}},
                      opset_version=opset, do_constant_folding=True)


def write_golden(model, cfg: dict, out_dir: str):
    """input.png (H x W RGB, already the input size: no resize needed), input_meta.json, raw outputs and
    post-processed detections as JSON."""
    os.makedirs(out_dir, exist_ok=True)
    # torch.onnx.export restores the wrapper's original (training) mode on exit, which puts the
    # wrapped model in training mode too: without this the golden outputs are train-mode outputs.
    model.eval()
    img = golden_image(cfg["input_w"], cfg["input_h"])
    Image.fromarray(img).save(os.path.join(out_dir, "input.png"))
    x = to_tensor(img)[None]
    with torch.no_grad():
        logits, boxes = model(x)
    dets = postprocess(logits, boxes, [(cfg["input_w"], cfg["input_h"])], top_k=GOLDEN_TOP_K, nms=POSTPROCESS)[0]
    keep = dets["scores"] >= GOLDEN_SCORE_THRESHOLD
    with open(os.path.join(out_dir, "outputs.json"), "w") as f:
        json.dump({"logits_shape": list(logits.shape), "boxes_shape": list(boxes.shape),
                   "logits": [round(v, 6) for v in logits.flatten().tolist()],
                   "boxes": [round(v, 6) for v in boxes.flatten().tolist()],
                   "input_sum": float(x.sum()), "input_abs_mean": float(x.abs().mean())}, f)
    with open(os.path.join(out_dir, "detections.json"), "w") as f:
        json.dump({"image_width": cfg["input_w"], "image_height": cfg["input_h"], "top_k": GOLDEN_TOP_K,
                   "score_threshold": GOLDEN_SCORE_THRESHOLD, "classes": CLASSES, "postprocess": POSTPROCESS,
                   "detections": [{"box_xyxy": [round(v, 4) for v in b], "score": round(float(s), 6),
                                   "class_id": int(l), "class_name": CLASSES[int(l)]}
                                  for b, s, l in zip(dets["boxes"][keep].tolist(), dets["scores"][keep], dets["labels"][keep])]},
                  f, indent=1)


def parse_input_size(text: str) -> dict:
    """'320x240' -> {"input_w": 320, "input_h": 240}; multiples of 16 (the padded strides of the backbone keep the maps aligned)."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"--input {text!r}: expected WxH, e.g. 384x288")
    if w % 16 or h % 16 or w <= 0 or h <= 0:
        raise SystemExit(f"--input {text!r}: width and height must be positive multiples of 16")
    return {"input_w": w, "input_h": h}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--name", default="leukoscan-lite")
    ap.add_argument("--models-dir", default=os.path.join(REPO, "models"))
    ap.add_argument("--golden-dir", default=os.path.join(REPO, "test", "fixtures", "golden"))
    ap.add_argument("--metrics", default=None, help="JSON from `training.evaluate --json` to put in the card")
    ap.add_argument("--data", default=None)
    ap.add_argument("--opset", type=int, default=16)
    ap.add_argument("--agreement-power", type=float, default=None,
                    help="leukocyte scores x decoder box agreement ** this, in the graph (models/scoring.py; "
                    "default: the shipped power; 0: the plain class scores)")
    ap.add_argument("--fp32-storage", action="store_true", help="keep float32 weights in the file (2x larger)")
    ap.add_argument("--input", default=None, metavar="WxH",
                    help="export at this input size instead of the trained one (the input-scale study, issue 26): "
                    "the card's trainingScale follows, so calibrated frames are resampled to the smaller cells")
    args = ap.parse_args(argv)

    from .checkpoints import model_from_checkpoint, read_checkpoint
    ck = read_checkpoint(args.checkpoint)
    model, cfg = model_from_checkpoint(ck, agreement_power=args.agreement_power)
    if args.input:
        cfg = dict(cfg, **parse_input_size(args.input))
    os.makedirs(args.models_dir, exist_ok=True)
    onnx_path = os.path.join(args.models_dir, f"{args.name}.onnx")
    export_onnx(model, cfg, onnx_path, args.opset)
    if not args.fp32_storage:
        from .onnx_fp16_storage import to_fp16_storage
        to_fp16_storage(onnx_path, onnx_path)
        with torch.no_grad():  # golden outputs from the same rounded weights the file holds
            for p in model.parameters():
                if p.numel() >= 1024:
                    p.copy_(p.half().float())
    write_golden(model, cfg, os.path.join(args.golden_dir, args.name))
    # PyTorch weights for `leukoscan bench` (eager comparison): kept in the cache, out of git
    torch_weights = os.path.join(os.path.expanduser(os.environ.get("LEUKOSCAN_CACHE", "~/.cache/leukoscan")),
                                 "models", f"{args.name}.pt")
    os.makedirs(os.path.dirname(torch_weights), exist_ok=True)
    torch.save({"model": model.state_dict(), "cfg": cfg}, torch_weights)

    bccd_trainval = sources.bccd("trainval", args.data)
    ref_images = [load_rgb(r.image_path) for r in bccd_trainval]
    metrics = {}
    if args.metrics:
        with open(args.metrics) as f:
            metrics = json.load(f)
    training = training_history(ck, os.path.join(args.models_dir, f"{args.name}.json"))
    card = {
        "name": args.name,
        "architecture": "MFDS-DETR (ResNet + extra bottleneck, HS-FPN, deformable encoder/decoder)",
        "classes": CLASSES,
        "input": {"width": cfg["input_w"], "height": cfg["input_h"]},
        "resize": "stretch",
        "mean": MEAN,
        "std": STD,
        "pixelScale": "rgb/255",
        "colourReference": dict(colour_reference(ref_images), source="BCCD trainval (292 images)"),
        "outputs": {"logits": "logits", "boxes": "boxes", "boxConvention": "cxcywh-normalised",
                    "scoring": "sigmoid; top-k over queries x classes; no background class; then `postprocess`"
                               + ("" if model.agreement_power == 0 else "; leukocyte logits already rescored in the graph: "
                                  "sigmoid = p x IoU(last two decoder layers' boxes) ^ leukocyteAgreementPower")},
        "leukocyteAgreementPower": model.agreement_power,
        "postprocess": POSTPROCESS,
        "numQueries": cfg["num_queries"],
        "trainingScale": training_scale(cfg, bccd_trainval),
        "trainingData": ["BCCD trainval (292 images; WBC types from bccd/wbc_types.csv)",
                         "TXL-PBC train, PBC (350, typed) and Raabin-WBC (350, untyped leukocytes) images; "
                         "BCCD-derived TXL images excluded (leakage rule)",
                         f"sampling: BCCD with probability {cfg['bccd_weight']}, else TXL (uniform)"],
        "augmentation": augmentation(cfg),
        "training": training,
        "config": cfg,
        "metrics": metrics,
        "onnx": {"opset": args.opset, "sha256": sha256(onnx_path), "bytes": os.path.getsize(onnx_path),
                 "weightStorage": "float32" if args.fp32_storage else "float16 (cast to float32 at load)"},
        "torchWeights": torch_weights,
        "date": datetime.date.today().isoformat(),
    }
    with open(os.path.join(args.models_dir, f"{args.name}.json"), "w") as f:
        json.dump(card, f, indent=2)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.1f} MB), card and golden fixtures")


if __name__ == "__main__":
    main()

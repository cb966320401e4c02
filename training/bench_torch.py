"""PyTorch eager inference timing of a shipped model's weights, for `leukoscan bench`.

    /usr/bin/python3 -m training.bench_torch --model leukoscan-lite --threads 2 --iters 20
    /usr/bin/python3 -m training.bench_torch --config paper --threads 2 --iters 3   # the paper's size, random weights

Loads the checkpoint named in the card (models/<name>.json: `checkpoint`), or, with --checkpoint,
that file; with --config, a model of that training config (e.g. `paper`: ResNet-50, d_model 256, six
encoder and decoder layers, 640x480 input) with random weights, for the speed comparison only. Times pre-processing of a 640x480 RGB frame + the forward pass + post-processing at batch 1.
The last stdout line is JSON: {"ms_p50": .., "ms_p95": .., "threads": .., "iters": ..}.
"""
import argparse
import json
import os
import time

import numpy as np
import torch

from .data.transforms import resize, to_tensor
from .postprocess import postprocess

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="leukoscan-lite")
    ap.add_argument("--checkpoint", default=None)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--config", default=None, help="time a randomly initialised model of this config instead")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    model, cfg = random_model(args.config) if args.config else trained_model(args.model, args.checkpoint)
    frame = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    times = []
    with torch.no_grad():
        for i in range(args.warmup + args.iters):
            t = time.perf_counter()
            img, _ = resize(frame, np.zeros((0, 4), np.float32), cfg["input_w"], cfg["input_h"])
            logits, boxes = model(to_tensor(img)[None])
            postprocess(logits, boxes, [(640, 480)])
            if i >= args.warmup:
                times.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"ms_p50": float(np.percentile(times, 50)), "ms_p95": float(np.percentile(times, 95)),
                      "threads": args.threads, "iters": args.iters,
                      "input": [cfg["input_w"], cfg["input_h"]], "config": args.config}))


def random_model(name: str):
    """-> (MFDS-DETR of config `name` with its initial (random) weights, in eval mode, cfg)."""
    from .config import CONFIGS
    from .models.mfds_detr import MFDSDETR
    if name not in CONFIGS:
        raise SystemExit(f"--config {name!r}: not one of {', '.join(sorted(CONFIGS))}")
    cfg = dict(CONFIGS[name], name=name)
    torch.manual_seed(0)
    return MFDSDETR(cfg).eval(), cfg


def trained_model(name: str, checkpoint):
    """-> (the shipped model's weights in eval mode, cfg): --checkpoint, else the card's torchWeights."""
    from .checkpoints import load_checkpoint
    weights = checkpoint
    if weights is None:
        with open(os.path.join(REPO, "models", f"{name}.json")) as f:
            card = json.load(f)
        weights = os.path.expanduser(card.get("torchWeights", ""))
    if not weights or not os.path.exists(weights):
        raise SystemExit(f"PyTorch weights not found: '{weights}' (training.export writes them to the cache, "
                         "~/.cache/leukoscan/models/<name>.pt, on the machine that exported the model)")
    return load_checkpoint(weights, "model")


if __name__ == "__main__":
    main()

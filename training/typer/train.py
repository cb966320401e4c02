"""Train the leukocyte typer from scratch, resumably.

    /usr/bin/python3 -m training.typer.train --iters 2000 --run typer

Samples: with probability --bccd-weight a BCCD trainval leukocyte (types drawn with sqrt-tempered
frequencies: BCCD is mostly neutrophils, and the lab's smears look like BCCD), else a PBC leukocyte
(TXL PBC train fields + pbc_crops/, types uniform). Augmentation: box jitter (centre +-8%, side
0.85-1.2x), 90-degree rotations, flips, stain jitter. Cosine learning rate over --iters; label
smoothing 0.1. Checkpoints to ~/.cache/leukoscan/<run>/last.pt; the same command resumes.
"""
import argparse
import dataclasses
import json
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

from ..data.transforms import colour_jitter
from ..train import cache_dir, save_atomic
from .crops import crop_rgb, image_of, robust_splits, typed_boxes
from .evaluate import evaluate, format_confusion, to_input
from .model import TyperNet
from .views import ViewConfig, random_view


class TypedSampler:
    """Draws (source, type)-balanced samples: see the module docstring."""

    def __init__(self, samples, bccd_weight: float, seed: int):
        self.rng = random.Random(seed)
        self.w = bccd_weight
        self.pools = {}
        for s in samples:
            self.pools.setdefault("BCCD" if s[3] == "BCCD" else "PBC", [[] for _ in range(5)])[s[2]].append(s)
        bccd = self.pools.get("BCCD", [[] for _ in range(5)])
        freq = np.array([math.sqrt(len(p)) for p in bccd])
        self.bccd_p = freq / freq.sum() if freq.sum() > 0 else None

    def draw(self):
        if self.bccd_p is not None and self.rng.random() < self.w:
            t = int(np.searchsorted(np.cumsum(self.bccd_p), self.rng.random() * 0.999999))
            return self.rng.choice(self.pools["BCCD"][t])
        pool = [p for p in self.pools["PBC"] if p]
        return self.rng.choice(self.rng.choice(pool))


def sampling_prior(counts: dict, bccd_weight: float) -> np.ndarray:
    """The type distribution TypedSampler draws: bccd_weight x sqrt-tempered BCCD frequencies +
    (1 - bccd_weight) x uniform over the PBC types present. counts: {'BCCD': [5], 'PBC': [5]}."""
    bccd = np.sqrt(np.asarray(counts["BCCD"], float))
    pbc = (np.asarray(counts["PBC"]) > 0).astype(float)
    if bccd.sum() == 0:
        return pbc / pbc.sum()
    return bccd_weight * bccd / bccd.sum() + (1 - bccd_weight) * pbc / pbc.sum()


def augment(img, box, rng: np.random.Generator, size: int) -> np.ndarray:
    """The shipped typer's views (--views legacy): box jitter, dihedral group, colour_jitter."""
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    cx, cy = (x1 + x2) / 2 + rng.uniform(-0.08, 0.08) * w, (y1 + y2) / 2 + rng.uniform(-0.08, 0.08) * h
    s = rng.uniform(0.85, 1.2)
    crop = crop_rgb(img, (cx - s * w / 2, cy - s * h / 2, cx + s * w / 2, cy + s * h / 2), size)
    crop = np.rot90(crop, int(rng.integers(4)))
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return colour_jitter(np.ascontiguousarray(crop), rng)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="typer")
    ap.add_argument("--iters", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--bccd-weight", type=float, default=0.7)
    ap.add_argument("--pbc-per-type", type=int, default=600, help="pbc_crops/ images per type")
    ap.add_argument("--data", default=None)
    ap.add_argument("--cache", default=None)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--views", choices=("robust", "basic", "legacy"), default="robust",
                    help="robust: views.ViewConfig.robust() (stain, optics, sensor, scale, white balance); basic: box "
                    "jitter and the dihedral group only; legacy: the shipped typer's (box jitter, colour_jitter)")
    ap.add_argument("--splits", choices=("robust", "shipped"), default="robust",
                    help="robust: crops.robust_splits (a validation hold-out, all pbc_crops/ but it); shipped: all of "
                    "BCCD trainval + TXL PBC train + the first --pbc-per-type pbc_crops/")
    ap.add_argument("--hed-sigma", type=float, default=None,
                    help="robust views: HED stain jitter, alpha in 1 +- sigma per stain (default ViewConfig's 0.15)")
    ap.add_argument("--init", default=None, help="start from this typer checkpoint's weights (e.g. training.typer.recover's)")
    ap.add_argument("--minutes", type=float, default=None, help="stop (and checkpoint) after this many minutes")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    out = cache_dir(args.run, args.cache)
    last = os.path.join(out, "last.pt")

    samples = robust_splits(args.data)[0] if args.splits == "robust" else typed_boxes("train", args.data, args.pbc_per_type)
    counts = {src: np.bincount([s[2] for s in samples if (s[3] == "BCCD") == (src == "BCCD")], minlength=5).tolist()
              for src in ("BCCD", "PBC")}
    print(f"[data] typed leukocytes NEU/LYM/MON/EOS/BAS: BCCD trainval {counts['BCCD']}, PBC {counts['PBC']}", flush=True)
    sampler = TypedSampler(samples, args.bccd_weight, args.seed)
    rng = np.random.default_rng(args.seed)
    model = TyperNet()
    opt = torch.optim.AdamW(model.parameters(), args.lr, weight_decay=5e-4)
    it = 0
    if args.init and not os.path.exists(last):
        model.load_state_dict(torch.load(args.init, map_location="cpu")["model"])
        print(f"[init] weights from {args.init}", flush=True)
    view_cfg = ViewConfig.basic() if args.views == "basic" else ViewConfig.robust()
    if args.hed_sigma is not None:
        view_cfg = dataclasses.replace(view_cfg, hed_sigma=args.hed_sigma)
    make_view = augment if args.views == "legacy" else (lambda im, b, r, sz: random_view(im, b, r, sz, view_cfg))
    if os.path.exists(last):
        ck = torch.load(last, map_location="cpu")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        it = ck["iter"]
        print(f"[resume] {last}: iter {it}", flush=True)
    t_ckpt, t0 = time.time(), time.time()
    model.train()
    while it < args.iters and (args.minutes is None or time.time() - t0 < 60 * args.minutes):
        # warm-up, then cosine over the run's progress: iterations, or the time budget if that ends first
        progress = it / args.iters if args.minutes is None else max(it / args.iters, (time.time() - t0) / (60 * args.minutes))
        lr = args.lr * (min(1.0, (it + 1) / 100) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))
        for g in opt.param_groups:
            g["lr"] = lr
        batch = [sampler.draw() for _ in range(args.batch)]
        x = to_input([make_view(image_of(s), s[1], rng, args.size) for s in batch])
        y = torch.tensor([t for _, _, t, _ in batch])
        loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        it += 1
        if it % 50 == 0:
            print(f"[train] iter {it}/{args.iters} loss {loss.item():.3f} lr {lr:.2e} {time.time() - t0:.0f}s", flush=True)
        if it == args.iters or time.time() - t_ckpt > 120 or (args.minutes and time.time() - t0 >= 60 * args.minutes):
            save_atomic({"model": model.state_dict(), "opt": opt.state_dict(), "iter": it, "size": args.size,
                         "args": vars(args), "train_counts": counts}, last)
            t_ckpt = time.time()
    if args.splits == "robust":  # the test sets stay unread: choose with robust_eval --sets val
        print(f"[done] {last}: iter {it}; validate with python -m training.typer.robust_eval --sets val", flush=True)
        return
    res = evaluate(model, args.size, args.data)
    for name, r in res.items():
        print(format_confusion(name, r) + "\n", flush=True)
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()

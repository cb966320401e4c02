"""Train MFDS-DETR from scratch, resumably, within a wall-clock (--minutes) or iteration (--iters) budget.

    /usr/bin/python3 -m training.train --config lite --minutes 100 --run lite-v1

The weights evaluated during training and exported are an exponential moving average of the
training weights (training/ema.py); last.pt holds both. Checkpoints go to ~/.cache/leukoscan/<run>/
(override with --cache or LEUKOSCAN_CACHE); running the same command again resumes from last.pt.
The learning rate drops 10x at lr_drop_frac of the budget. Progress lines go to stdout; evaluation results to metrics.jsonl beside the checkpoint.
"""
import argparse
import json
import os
import random
import time

import numpy as np
import torch

from .checkpoints import cache_dir, checkpoint_weights, save_atomic
from .config import get_config, parse_overrides, with_defaults
from .data import sources
from .data.dataset import DetectionDataset, collate
from .data.robust import RobustAug
from .ema import ModelEMA
from .losses import set_criterion
from .models.mfds_detr import MFDSDETR


def build_optimizer(model: MFDSDETR, cfg: dict) -> torch.optim.Optimizer:
    backbone = [p for n, p in model.named_parameters() if n.startswith("backbone.") and p.requires_grad]
    rest = [p for n, p in model.named_parameters() if not n.startswith("backbone.") and p.requires_grad]
    return torch.optim.AdamW([{"params": rest, "lr": cfg["lr"]}, {"params": backbone, "lr": cfg["lr_backbone"]}],
                             lr=cfg["lr"], weight_decay=cfg["weight_decay"])


class MixedSampler:
    """Infinite index stream: BCCD with probability w, else TXL (uniform within each)."""

    def __init__(self, n_bccd: int, n_txl: int, w: float, seed: int):
        self.n_bccd, self.n_txl, self.w = n_bccd, n_txl, w
        self.rng = random.Random(seed)

    def next_batch(self, size: int):
        out = []
        for _ in range(size):
            if self.n_txl == 0 or self.rng.random() < self.w:
                out.append(self.rng.randrange(self.n_bccd))
            else:
                out.append(self.n_bccd + self.rng.randrange(self.n_txl))
        return out


def checkpoint(model, opt, ema: ModelEMA, state: dict, cfg: dict) -> dict:
    """What last.pt holds: the training weights, the optimiser, the weight average and the progress."""
    return {"model": model.state_dict(), "opt": opt.state_dict(), "ema": ema.state_dict(), "state": state, "cfg": cfg}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="lite")
    ap.add_argument("--run", default=None, help="run name (default: the config name)")
    ap.add_argument("--minutes", type=float, default=100.0, help="training wall-clock budget (resumes count)")
    ap.add_argument("--iters", type=int, default=None, help="budget in iterations instead of minutes (the same run "
                    "on a slower machine then takes longer instead of training less)")
    ap.add_argument("--data", default=None, help="datasets folder (default ../shared/data or LEUKOSCAN_DATA)")
    ap.add_argument("--cache", default=None)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--no-txl", action="store_true", help="train on BCCD trainval only")
    ap.add_argument("--eval-every", type=float, default=25.0, help="minutes between BCCD test evaluations (0: never)")
    ap.add_argument("--ckpt-every", type=float, default=4.0, help="minutes between checkpoints")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", nargs="*", default=[], help="config overrides key=value (JSON values)")
    ap.add_argument("--ema-decay", type=float, default=0.998, help="decay of the weight average that is evaluated "
                    "and exported (per iteration)")
    ap.add_argument("--init", default=None, help="start from these weights (a checkpoint or training.recover_onnx "
                    "output) instead of from scratch; ignored when the run already has a checkpoint")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    cfg = get_config(args.config, **parse_overrides(args.set))
    run = args.run or args.config
    out = cache_dir(run, args.cache)
    torch.manual_seed(args.seed)

    bccd = sources.bccd("trainval", args.data)
    txl = [] if args.no_txl else sources.txl("train", args.data)
    records = bccd + txl
    print(f"[data] BCCD trainval {len(bccd)} images, TXL train (PBC + Raabin) {len(txl)} images", flush=True)
    ds = DetectionDataset(records, cfg["input_w"], cfg["input_h"], train=True, scale_min=cfg["scale_min"],
                          seed=args.seed, aspect_jitter=cfg["aspect_jitter"], aug=RobustAug.from_cfg(cfg))
    if ds.aug.scale_norm:
        print(f"[scale] reference RBC diameter {ds.ref_rbc_px:.1f} model-input px; native per source "
              + ", ".join(f"{s} {d:.1f}" for s, d in ds.source_rbc_px.items()), flush=True)
    sampler = MixedSampler(len(bccd), len(txl), cfg["bccd_weight"], args.seed)

    model = MFDSDETR(cfg)
    opt = build_optimizer(model, cfg)
    state = {"iter": 0, "elapsed_s": 0.0, "lr_dropped": False, "next_eval_s": args.eval_every * 60}
    last = os.path.join(out, "last.pt")
    ck = None
    if os.path.exists(last):
        ck = torch.load(last, map_location="cpu")
        if with_defaults(ck["cfg"]) != cfg:
            raise SystemExit(f"{last}: checkpoint config differs from --config/--set; use another --run")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        state = ck["state"]
        print(f"[resume] {last}: iter {state['iter']}, {state['elapsed_s'] / 60:.1f} min trained", flush=True)
    elif args.init:
        if not os.path.exists(args.init):
            raise SystemExit(f"--init {args.init}: file not found")
        model.load_state_dict(checkpoint_weights(torch.load(args.init, map_location="cpu")))
        state["init"] = os.path.abspath(args.init)
        print(f"[init] weights from {args.init}", flush=True)
    ema = ModelEMA(model, args.ema_decay)
    if ck is not None and "ema" in ck:  # checkpoints from before EMA have none: it starts from the weights
        ema.load_state_dict(ck["ema"])
    n_params = sum(p.numel() for p in model.parameters())
    print(f"[model] {cfg['name']}: {n_params / 1e6:.1f}M parameters, input {cfg['input_w']}x{cfg['input_h']}", flush=True)

    def spent() -> float:
        """Fraction of the budget used: iterations with --iters, else wall-clock training time."""
        return state["iter"] / args.iters if args.iters else state["elapsed_s"] / (args.minutes * 60)

    last_ckpt = time.time()
    smooth = None
    model.train()
    while spent() < 1.0:
        t0 = time.time()
        if not state["lr_dropped"] and spent() >= cfg["lr_drop_frac"]:
            for g in opt.param_groups:
                g["lr"] *= 0.1
            state["lr_dropped"] = True
            print(f"[lr] dropped 10x at {state['elapsed_s'] / 60:.1f} min", flush=True)
        images, targets = collate([ds[i] for i in sampler.next_batch(cfg["batch_size"])])
        logits, boxes = model.forward_all(images)
        loss, parts = set_criterion(logits, boxes, targets, cfg)
        opt.zero_grad()
        loss.backward()
        if cfg["clip_norm"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip_norm"])
        opt.step()
        ema.update(model)
        state["iter"] += 1
        state["elapsed_s"] += time.time() - t0
        smooth = float(loss) if smooth is None else 0.95 * smooth + 0.05 * float(loss)
        if state["iter"] % 10 == 0:
            if args.iters:
                where = f"{state['iter']}/{args.iters} it, {state['elapsed_s'] / 60:.1f} min"
            else:
                where = f"{state['elapsed_s'] / 60:.1f}/{args.minutes:.0f} min, {max(1 - spent(), 0) * args.minutes:.1f} min left"
            print(f"[train] iter {state['iter']} loss {smooth:.3f} (focal {parts['focal']:.3f} l1 {parts['l1']:.3f} "
                  f"giou {parts['giou']:.3f}) {time.time() - t0:.2f}s/it, {where}", flush=True)
        done = spent() >= 1.0
        if done or time.time() - last_ckpt > args.ckpt_every * 60:
            save_atomic(checkpoint(model, opt, ema, state, cfg), last)
            last_ckpt = time.time()
        if args.eval_every > 0 and (state["elapsed_s"] >= state["next_eval_s"] or done):
            state["next_eval_s"] = state["elapsed_s"] + args.eval_every * 60
            from .detector_eval import evaluate_bccd
            model.eval()
            res = evaluate_bccd(ema.module, cfg, args.data)
            raw = evaluate_bccd(model, cfg, args.data)
            model.train()
            res.update(iter=state["iter"], minutes=round(state["elapsed_s"] / 60, 1), weights="ema",
                       raw={k: raw[k] for k in ("AP", "AP/WBC")})
            with open(os.path.join(out, "metrics.jsonl"), "a") as f:
                f.write(json.dumps(res) + "\n")
            print(f"[eval] {json.dumps(res)}", flush=True)
    save_atomic(checkpoint(model, opt, ema, state, cfg), last)
    print(f"[done] {state['iter']} iterations, {state['elapsed_s'] / 60:.1f} min; checkpoint {last}", flush=True)


if __name__ == "__main__":
    main()

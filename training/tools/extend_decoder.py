"""Append one decoder layer to a trained detector, trained on its frozen encoder memory.

Cascade-style refinement (Cai & Vasconcelos 2018, in DETR form): the new last layer starts as a copy
of the current last layer and its heads, takes that layer's queries and boxes as input, and is
trained alone with the set criterion (Hungarian matching, focal + L1 + GIoU). Everything before it
is frozen, so the encoder memory and the old layers' outputs of each training view are computed
once and cached; an iteration then costs one decoder layer instead of the whole network, which
makes thousands of iterations affordable on two CPU cores.

    /usr/bin/python3 -m training.tools.extend_decoder --checkpoint CK --out OUT.pt [--views 5 --iters 1500]

The output is an ordinary checkpoint with `dec_layers` one higher: evaluate, export and the app
treat it like any other (the agreement scores then compare the new layer with the old last one).
"""
import argparse
import os
import random
import time
from typing import Dict, List

import torch
from torch import Tensor

from ..config import BASE
from ..data import sources
from ..data.dataset import DetectionDataset
from ..checkpoints import load_checkpoint
from ..losses import set_criterion
from ..models.mfds_detr import MFDSDETR


def extended_model(model: MFDSDETR, cfg: Dict) -> MFDSDETR:
    """A copy of `model` with one more decoder layer whose weights (layer and heads) copy the last one."""
    t = model.transformer
    if not t.box_refine:
        raise ValueError("extending the decoder needs box_refine (per-layer heads)")
    new_cfg = dict(cfg, dec_layers=cfg["dec_layers"] + 1)
    out = MFDSDETR(new_cfg)
    state = model.state_dict()
    last = cfg["dec_layers"] - 1
    for prefix in ("transformer.decoder.", "transformer.class_heads.", "transformer.box_heads."):
        for k, v in list(state.items()):
            if k.startswith(f"{prefix}{last}."):
                state[f"{prefix}{last + 1}." + k[len(f"{prefix}{last}."):]] = v.clone()
    out.load_state_dict(state)
    out.eval()
    return out


@torch.no_grad()
def cache_views(model: MFDSDETR, cfg: Dict, records, views: int, seed: int, log=print) -> List[Dict]:
    """Per record: one evaluation view and `views - 1` training-augmented views (the training
    recipe's transforms). -> [{'memory' [S, C] fp16, 'tgt' [Q, C] fp16 (the last layer's queries),
    'ref' [Q, 4] (its boxes), 'target' {'boxes' cxcywh, 'labels'}}]; `shapes` is the same for all."""
    ev = DetectionDataset(records, cfg["input_w"], cfg["input_h"], train=False)
    tr = DetectionDataset(records, cfg["input_w"], cfg["input_h"], train=True, seed=seed,
                          scale_min=cfg.get("scale_min", BASE["scale_min"]),
                          aspect_jitter=cfg.get("aspect_jitter", BASE["aspect_jitter"]))
    tr.images = ev.images
    rows, t0 = [], time.time()
    for i in range(len(records)):
        for v in range(views):
            x, target = (ev if v == 0 else tr)[i]
            rows.append(cache_view(model, x, target))
        if (i + 1) % 20 == 0 or i + 1 == len(records):
            log(f"cached {i + 1}/{len(records)} images ({len(rows)} views, {time.time() - t0:.0f} s)")
    return rows


@torch.no_grad()
def cache_view(model: MFDSDETR, image: Tensor, target: Dict) -> Dict:
    """image [3, H, W] normalised -> one cache row (see cache_views)."""
    memory, shapes = model.encode(image[None])
    *_, (tgt, _, ref) = model.transformer.decode_layers(memory, shapes)
    return {"memory": memory[0].half(), "tgt": tgt[0].half(), "ref": ref[0], "target": target, "shapes": shapes}


def new_layer_outputs(model: MFDSDETR, batch: List[Dict]):
    """The appended (last) layer on cached inputs -> (logits [N, Q, K], boxes [N, Q, 4])."""
    t = model.transformer
    memory = torch.stack([r["memory"] for r in batch]).float()
    tgt = torch.stack([r["tgt"] for r in batch]).float()
    ref = torch.stack([r["ref"] for r in batch])
    _, query_pos, _ = t.decode_start(len(batch))
    _, logits, boxes = t.decode_step(len(t.decoder) - 1, tgt, query_pos.detach(), ref, memory, batch[0]["shapes"])
    return logits, boxes


def train_last_layer(model: MFDSDETR, cfg: Dict, rows: List[Dict], iters: int, lr: float, batch_size: int,
                     seed: int, log=print) -> None:
    """Trains the last decoder layer and its heads in place (the rest frozen); lr drops 10x at 80%."""
    t = model.transformer
    last = len(t.decoder) - 1
    params = [*t.decoder[last].parameters(), *t.class_heads[last].parameters(), *t.box_heads[last].parameters()]
    for p in model.parameters():
        p.requires_grad_(False)
    for p in params:
        p.requires_grad_(True)
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=cfg["weight_decay"])
    rng = random.Random(seed)
    model.train()
    t0 = time.time()
    for it in range(1, iters + 1):
        if it == int(iters * 0.8) + 1:
            for g in opt.param_groups:
                g["lr"] = lr / 10
        batch = rng.sample(rows, batch_size)
        logits, boxes = new_layer_outputs(model, batch)
        loss, parts = set_criterion(logits[None], boxes[None], [r["target"] for r in batch], cfg)
        opt.zero_grad()
        loss.backward()
        if cfg["clip_norm"] > 0:
            torch.nn.utils.clip_grad_norm_(params, cfg["clip_norm"])
        opt.step()
        if it % 100 == 0 or it == iters:
            log(f"it {it}/{iters} loss {loss.item():.3f} focal {parts['focal']:.3f} l1 {parts['l1']:.3f} "
                f"giou {parts['giou']:.3f} ({time.time() - t0:.0f} s)")
    for p in model.parameters():
        p.requires_grad_(True)
    model.eval()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True, help="checkpoint to write (the extended model)")
    ap.add_argument("--views", type=int, default=5, help="cached views per BCCD trainval image (1 unaugmented)")
    ap.add_argument("--iters", type=int, default=1500)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--split", default="trainval", help="BCCD split to train on (ImageSets/Main)")
    ap.add_argument("--data", default=None, help="dataset root (default ../shared/data or $LEUKOSCAN_DATA)")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    log = lambda s: print(s, flush=True)
    base, cfg = load_checkpoint(a.checkpoint)
    model = extended_model(base, cfg)
    records = sources.bccd(a.split, a.data)
    log(f"extend_decoder: {a.checkpoint} ({cfg['dec_layers']} decoder layers) + 1, trained on BCCD {a.split} "
        f"({len(records)} images x {a.views} views)")
    rows = cache_views(base, cfg, records, a.views, a.seed, log)
    train_last_layer(model, model.cfg, rows, a.iters, a.lr, a.batch_size, a.seed, log)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".tmp"
    torch.save({"model": model.state_dict(), "cfg": model.cfg,
                "extended_from": {"checkpoint": os.path.abspath(a.checkpoint), "views": a.views, "iters": a.iters,
                                  "lr": a.lr, "batch_size": a.batch_size, "seed": a.seed, "split": a.split}}, tmp)
    os.replace(tmp, a.out)
    log(f"extend_decoder: wrote {a.out}")


if __name__ == "__main__":
    main()

"""Weight averaging across runs: the mean of the final weights of successive warm-restarted runs.

Each continuation run (`train --init` from the previous run's checkpoint) restarts the learning rate
and ends after a 10x drop, so the chain lite-v2 -> v3 -> v4 -> ... is a cyclic schedule, and the mean
of its cycle ends is stochastic weight averaging (Izmailov et al. 2018, "Averaging Weights Leads to
Wider Optima and Better Generalization"): one model, no inference cost. Each run contributes the
weights it would itself be evaluated with (its EMA where it has one, else the last iterate).

    /usr/bin/python3 -m training.swa --out ~/.cache/leukoscan/lite-swa/last.pt \\
        ~/.cache/leukoscan/lite-v2/last.pt ~/.cache/leukoscan/lite-v3/last.pt ...

The output is a checkpoint that `training.evaluate` and `training.export` read like any other: its
`model` is the average, `cfg` the runs' (they must agree), and `state` the last run's progress
(so the card's training history stays that chain's) plus `swa`, the runs averaged.
"""
import argparse
import os
from typing import Dict, List, Sequence

import torch
from torch import Tensor

from .config import TRAINING_KEYS, with_defaults
from .checkpoints import checkpoint_weights


def average_state_dicts(sds: Sequence[Dict[str, Tensor]]) -> Dict[str, Tensor]:
    """Element-wise mean of floating-point tensors over K state dicts with the same keys and shapes.
    Integer buffers (BatchNorm's num_batches_tracked) are taken from the last. Raises ValueError on
    mismatched keys or shapes."""
    if not sds:
        raise ValueError("nothing to average")
    keys = list(sds[0])
    for i, sd in enumerate(sds[1:], 1):
        if list(sd) != keys:
            raise ValueError(f"state dict {i} has other keys than state dict 0")
        for k in keys:
            if sd[k].shape != sds[0][k].shape:
                raise ValueError(f"state dict {i}: {k} has shape {tuple(sd[k].shape)}, not {tuple(sds[0][k].shape)}")
    out = {}
    for k in keys:
        if sds[0][k].dtype.is_floating_point:
            out[k] = torch.stack([sd[k].float() for sd in sds]).mean(0).to(sds[0][k].dtype)
        else:
            out[k] = sds[-1][k].clone()
    return out


def average_checkpoints(paths: List[str]) -> dict:
    """Checkpoints (train's last.pt) -> an averaged checkpoint (see the module docstring)."""
    cks = []
    for p in paths:
        if not os.path.exists(p):
            raise SystemExit(f"checkpoint not found: {p}")
        cks.append(torch.load(p, map_location="cpu"))
    cfg = with_defaults(cks[-1]["cfg"])
    for p, ck in zip(paths, cks):
        other = with_defaults(ck["cfg"])
        if other != cfg:
            # the config's name is a label (lite-robust trains the lite network), not a shape
            diff = sorted(k for k in set(cfg) | set(other) if cfg.get(k) != other.get(k) and k != "name")
            if any(k not in TRAINING_KEYS for k in diff):
                raise SystemExit(f"{p}: model config differs from {paths[-1]} in {', '.join(diff)}")
    used = ["ema" if "ema" in ck else "model" for ck in cks]
    state = dict(cks[-1]["state"], swa=[{"checkpoint": os.path.abspath(p), "weights": w, "iter": ck.get("state", {}).get("iter")}
                                        for p, w, ck in zip(paths, used, cks)])
    return {"model": average_state_dicts([checkpoint_weights(ck) for ck in cks]), "cfg": cfg, "state": state}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoints", nargs="+", help="the runs' last.pt, oldest first (the last one's state is kept)")
    ap.add_argument("--out", required=True, help="where to write the averaged checkpoint")
    args = ap.parse_args(argv)
    ck = average_checkpoints(args.checkpoints)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(ck, args.out)
    print(f"averaged {len(args.checkpoints)} checkpoints -> {args.out}")


if __name__ == "__main__":
    main()

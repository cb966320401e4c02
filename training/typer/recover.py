"""Recover TyperNet weights from the shipped typer ONNX file, to fine-tune it when its checkpoint is gone.

    /usr/bin/python3 -m training.typer.recover --onnx models/leukoscan-typer.onnx \
        --out ~/.cache/leukoscan/typer-recovered/last.pt

The export folds each Conv + BatchNorm into one Conv with a bias, in the order of TyperNet's
modules, and keeps the head's Linear by name. Each BatchNorm is rebuilt so that its eval output is
exactly the fused conv and its training output stays close: running mean and variance are measured
on real crops through the recovered network, gamma = sqrt(var + eps), beta = mean + fused bias
(as training/recover_onnx.py does for the detector). The card gives the training counts and
sampler weight that export's prior correction needs.
"""
import argparse
import json
import os

import numpy as np
import torch

from ..recover_onnx import onnx_initializers
from ..train import save_atomic
from .model import TyperNet


def recover(onnx_path: str, calib: torch.Tensor) -> TyperNet:
    """onnx_path: a typer exported by training.typer.export; calib [N, 3, S, S] normalised crops
    -> TyperNet (eval) whose eval logits are the file's single-view logits."""
    inits = onnx_initializers(onnx_path)
    convs = [k for k in inits if k.startswith("onnx::Conv_")]
    convs.sort(key=lambda k: int(k.split("_")[-1]))
    pairs = list(zip(convs[0::2], convs[1::2]))  # (weight, bias) per fused conv, in graph order
    net = TyperNet().eval()
    bns = [m for m in net.features.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    conv_mods = [m for m in net.features.modules() if isinstance(m, torch.nn.Conv2d)]
    if len(pairs) != len(conv_mods):
        raise SystemExit(f"{onnx_path}: {len(pairs)} fused convs, TyperNet has {len(conv_mods)}")
    biases = []
    with torch.no_grad():
        for (wk, bk), conv, bn in zip(pairs, conv_mods, bns):
            if tuple(inits[wk].shape) != tuple(conv.weight.shape):
                raise SystemExit(f"{onnx_path}: {wk} has shape {inits[wk].shape}, want {tuple(conv.weight.shape)}")
            conv.weight.copy_(torch.from_numpy(inits[wk]))
            b = torch.from_numpy(inits[bk])
            biases.append(b)
            bn.running_mean.zero_(), bn.running_var.fill_(1 - bn.eps), bn.weight.fill_(1), bn.bias.copy_(b)
        net.head[3].weight.copy_(torch.from_numpy(inits["model.model.head.3.weight"]))
        net.head[3].bias.copy_(torch.from_numpy(inits["model.model.head.3.bias"]))
        stats = []
        hooks = [c.register_forward_hook(lambda m, i, o: stats.append((o.mean((0, 2, 3)), o.var((0, 2, 3)))))
                 for c in conv_mods]
        net(calib)
        for h in hooks:
            h.remove()
        for (mean, var), bn, b in zip(stats, bns, biases):
            bn.running_mean.copy_(mean), bn.running_var.copy_(var)
            bn.weight.copy_(torch.sqrt(var + bn.eps)), bn.bias.copy_(mean + b)
    return net


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx", default="models/leukoscan-typer.onnx")
    ap.add_argument("--out", required=True)
    ap.add_argument("--calib", type=int, default=256, help="training crops for the BatchNorm statistics")
    ap.add_argument("--data", default=None)
    args = ap.parse_args(argv)
    from .crops import crop_rgb, image_of, typed_boxes
    from .evaluate import to_input
    with open(os.path.splitext(args.onnx)[0] + ".json") as f:
        card = json.load(f)
    size = int(card["input"]["width"])
    samples = typed_boxes("train", args.data, pbc_per_type=40)
    pick = np.random.default_rng(0).choice(len(samples), min(args.calib, len(samples)), replace=False)
    calib = to_input([crop_rgb(image_of(samples[i]), samples[i][1], size) for i in pick])
    net = recover(args.onnx, calib)
    counts = {"BCCD": json.loads(card["trainingData"][0].split(": ")[-1]), "PBC": json.loads(card["trainingData"][1].split(": ")[-1])}
    save_atomic({"model": net.state_dict(), "iter": card["training"]["iterations"], "size": size, "train_counts": counts,
                 "args": {"bccd_weight": card["training"]["bccdWeight"], "batch": card["training"]["batch"],
                          "pbc_per_type": 600}, "recoveredFrom": os.path.abspath(args.onnx)}, args.out)
    print(f"wrote {args.out} (from {args.onnx}; BatchNorm statistics from {len(pick)} crops)")


if __name__ == "__main__":
    main()

"""Recover PyTorch weights from an exported ONNX model, to warm-start training when the checkpoint
cache is gone but the shipped model is not.

    /usr/bin/python3 -m training.recover_onnx --onnx models/leukoscan-lite.onnx --config lite \
        --out ~/.cache/leukoscan/recovered/leukoscan-lite.pt

Export renames and transforms weights: constant folding fuses each Conv + BatchNorm pair, stores
Linear weights transposed under anonymous `onnx::MatMul_*` names, and folds parameters that only
meet constants (the level embedding plus the fixed sine encoding). The mapping is learned rather
than written by hand: a fresh model of the same config, with distinctive random values everywhere
(BatchNorm statistics included), is exported the same way, and each of its initializers is matched
by value to the parameter expression it came from (p, p.T, the fused conv weight or bias, or
pos + level_embed). The shipped file's initializers then fill the parameters through that mapping.

A fused Conv + BN cannot be split back into the two, so each BatchNorm is rebuilt so that its eval
output is exactly the fused one and its training output stays close: running mean and variance are
measured on real images (`--calib` of them) through the recovered network, gamma = sqrt(var + eps)
and beta = mean + fused bias. Whatever cannot be matched is reported and keeps its fresh init.
"""
import argparse
import json
import os
import tempfile
from typing import Optional

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from .config import TRAINING_KEYS, get_config, parse_overrides
from .cards import card_path
from .export import export_onnx
from .models.mfds_detr import MFDSDETR


def onnx_initializers(path: str) -> dict:
    """name -> float32 array; names lose the `__fp16` suffix of fp16 storage."""
    out = {}
    for init in onnx.load(path).graph.initializer:
        name = init.name[:-len("__fp16")] if init.name.endswith("__fp16") else init.name
        out[name] = numpy_helper.to_array(init).astype(np.float32)
    return out


def conv_bn_pairs(model: torch.nn.Module) -> list:
    """(conv name, bn name) for every BatchNorm2d, paired with the Conv2d registered just before it."""
    pairs, last_conv = [], None
    for name, m in model.named_modules():
        if isinstance(m, torch.nn.Conv2d):
            last_conv = name
        elif isinstance(m, torch.nn.BatchNorm2d):
            pairs.append((last_conv, name))
    return pairs


def _fused(conv: torch.nn.Conv2d, bn: torch.nn.BatchNorm2d):
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    w = conv.weight * scale[:, None, None, None]
    b = bn.bias - bn.running_mean * scale + (conv.bias * scale if conv.bias is not None else 0)
    return w, b


def _candidates(model: MFDSDETR) -> list:
    """(key, tensor) for every expression an initializer may hold. key = (kind, name)."""
    mods = dict(model.named_modules())
    fused_convs = set()
    out = []
    with torch.no_grad():
        for conv_name, bn_name in conv_bn_pairs(model):
            w, b = _fused(mods[conv_name], mods[bn_name])
            out += [(("fused_w", conv_name, bn_name), w), (("fused_b", conv_name, bn_name), b)]
            fused_convs.add(conv_name)
        for name, p in model.named_parameters():
            mod = name.rsplit(".", 1)[0]
            if mod in fused_convs or isinstance(mods.get(mod), torch.nn.BatchNorm2d):
                continue
            out.append((("p", name), p.detach().clone()))
            if p.dim() == 2:
                out.append((("pT", name), p.detach().t().contiguous()))
            if name.endswith("in_proj_weight"):  # nn.MultiheadAttention: q, k, v projections, transposed
                for i, chunk in enumerate(p.detach().chunk(3, 0)):
                    out.append((("inproj_wT", name, i), chunk.t().contiguous()))
            if name.endswith("in_proj_bias"):
                for i, chunk in enumerate(p.detach().chunk(3, 0)):
                    out.append((("inproj_b", name, i), chunk.clone()))
    return out


def learn_mapping(cfg: dict, seed: int = 1, agreement_power: Optional[float] = None) -> tuple:
    """Export a distinctive fresh model; return ({initializer name: key}, unmatched parameter names).
    agreement_power: the file's (initializer names depend on the graph, and the rescoring is part of
    it); None: the model's default."""
    torch.manual_seed(seed)
    model = MFDSDETR(cfg, agreement_power).eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
        for p in model.parameters():  # no two parameters alike (zeros and ones are ambiguous)
            p.add_(torch.randn_like(p) * 0.01)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fresh.onnx")
        export_onnx(model, cfg, path)
        inits = onnx_initializers(path)
    cands = _candidates(model)
    by_size = {}  # matched on the flattened values: GroupNorm's affine is stored as [C, 1, 1]
    for key, t in cands:
        by_size.setdefault(t.numel(), []).append((key, t.numpy()))
    mapping = {}
    for name, arr in inits.items():
        for key, t in by_size.get(arr.size, []):
            if (t.shape == arr.shape or t.ndim == 1) and np.allclose(arr.reshape(t.shape), t, rtol=1e-4, atol=1e-6):
                mapping[name] = key
                break
    covered = set()
    for key in mapping.values():
        if key[0] in ("inproj_wT", "inproj_b") and sum(1 for k in mapping.values() if k[:2] == key[:2]) < 3:
            continue
        covered.add(key[1])
        if key[0].startswith("fused"):
            covered.add(key[2])
    # pos + level_embed of the encoder's levels, folded into one constant [1, sum H_l * W_l, C]
    level = _level_embed_constants(model, cfg, inits)
    mapping.update(level)
    if level:
        covered.add("transformer.level_embed")
    unmatched = [n for n, _ in model.named_parameters()
                 if n not in covered and n.rsplit(".", 1)[0] not in covered]
    return mapping, unmatched


def _level_token_counts(cfg: dict) -> list:
    """Tokens per level for the fixed input (strides 8, 16, 32, 64)."""
    h, w = cfg["input_h"], cfg["input_w"]
    out = []
    for _ in range(4):
        h, w = (h + 1) // 2 if out else -(-h // 8), (w + 1) // 2 if out else -(-w // 8)
        out.append(h * w)
    return out


def _level_embed_constants(model: MFDSDETR, cfg: dict, inits: dict) -> dict:
    """Find the folded constant cat_l(pos_l + level_embed[l]) [1, S, C]; key ("lvl", levels, sine)
    where sine [S, C] is the weight-free part, taken from the fresh model."""
    le = model.transformer.level_embed.detach().numpy()
    counts = _level_token_counts(cfg)
    found = {}
    for name, arr in inits.items():
        if arr.ndim != 3 or arr.shape[-1] != le.shape[1]:
            continue
        for first in range(len(counts)):
            if sum(counts[first:]) == arr.shape[1]:
                levels = list(range(first, len(counts)))
                rows = np.concatenate([np.repeat(le[l][None], counts[l], 0) for l in levels])
                sine = arr[0] - rows
                if np.abs(sine).max() <= 1.0 + 1e-4:
                    found[name] = ("lvl", levels, [counts[l] for l in levels], sine)
    return found


def recover(onnx_path: str, cfg: dict, calib_images: torch.Tensor = None,
            agreement_power: Optional[float] = None) -> tuple:
    """-> (model with the file's weights, report). calib_images [N, 3, H, W] normalised, or None to
    leave each BatchNorm as the identity around the fused bias (eval-exact, not for training).
    agreement_power: the file's leukocyte rescoring (card `leukocyteAgreementPower`; 0 before it existed;
    None: the model's default)."""
    mapping, unmatched = learn_mapping(cfg, agreement_power=agreement_power)
    shipped = onnx_initializers(onnx_path)
    model = MFDSDETR(cfg, agreement_power)
    mods = dict(model.named_modules())
    params = dict(model.named_parameters())
    fused_bias = {}
    missing = []
    with torch.no_grad():
        for name, key in mapping.items():
            if name not in shipped:
                missing.append(name)
                continue
            v = torch.from_numpy(shipped[name])
            kind = key[0]
            if kind == "p":
                params[key[1]].copy_(v.view_as(params[key[1]]))
            elif kind == "pT":
                params[key[1]].copy_(v.t())
            elif kind == "fused_w":
                mods[key[1]].weight.copy_(v)
            elif kind == "fused_b":
                fused_bias[key[2]] = v.clone()
                if mods[key[1]].bias is not None:
                    mods[key[1]].bias.zero_()
            elif kind == "inproj_wT":
                params[key[1]][key[2] * v.shape[0]:(key[2] + 1) * v.shape[0]].copy_(v.t())
            elif kind == "inproj_b":
                params[key[1]][key[2] * v.shape[0]:(key[2] + 1) * v.shape[0]].copy_(v)
            elif kind == "lvl":
                _, levels, counts, sine = key
                emb = v[0] - torch.from_numpy(sine)
                for l, seg in zip(levels, emb.split(counts, 0)):
                    model.transformer.level_embed[l].copy_(seg.mean(0))
        # BatchNorm: identity first (eval output = conv + fused bias), then calibrated on images
        for _, bn_name in conv_bn_pairs(model):
            bn = mods[bn_name]
            bn.weight.fill_(1.0)
            bn.bias.copy_(fused_bias.get(bn_name, torch.zeros_like(bn.bias)))
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
    if calib_images is not None:
        calibrate_bn(model, calib_images, fused_bias)
    return model, {"mapped": len(mapping), "missing_in_onnx": missing, "unmatched_params": unmatched,
                   "fused_bn": len(fused_bias)}


def calibrate_bn(model: MFDSDETR, images: torch.Tensor, fused_bias: dict):
    """Measure each conv's output statistics (pre-BN) through the recovered, eval-exact network and
    rebuild its BN so that eval output is unchanged and train output (batch statistics) matches."""
    mods = dict(model.named_modules())
    pairs = conv_bn_pairs(model)
    stats = {}
    hooks = []
    for conv_name, bn_name in pairs:
        def hook(m, inp, out, bn_name=bn_name):
            y = out.detach().transpose(0, 1).reshape(out.shape[1], -1).double()
            s = stats.setdefault(bn_name, [0.0, 0.0, 0])
            s[0] = s[0] + y.sum(1)
            s[1] = s[1] + (y * y).sum(1)
            s[2] += y.shape[1]
        hooks.append(mods[conv_name].register_forward_hook(hook))
    model.eval()
    with torch.no_grad():
        for i in range(0, len(images), 4):
            model(images[i:i + 4])
    for h in hooks:
        h.remove()
    with torch.no_grad():
        for conv_name, bn_name in pairs:
            s1, s2, n = stats[bn_name]
            mean = (s1 / n).float()
            var = (s2 / n).float() - mean ** 2
            var = var.clamp_min(1e-6)
            bn = mods[bn_name]
            b = fused_bias.get(bn_name, torch.zeros_like(bn.bias))
            bn.running_mean.copy_(mean)
            bn.running_var.copy_(var)
            bn.weight.copy_(torch.sqrt(var + bn.eps))
            bn.bias.copy_(mean + b)


def from_card(cfg: dict, onnx_path: str) -> tuple:
    """-> (cfg with the training keys (config.TRAINING_KEYS) of the card beside onnx_path, the file's
    leukocyte agreement power). The recovered checkpoint, and a card exported from it, then name the
    recipe the file was trained with. The card's network keys must match cfg's (else the mapping is
    for another network). A card without `leukocyteAgreementPower` predates the rescoring (0).
    No card: (cfg, None: the model's default power)."""
    card = card_path(onnx_path)
    if not os.path.exists(card):
        return cfg, None
    with open(card) as f:
        card_json = json.load(f)
    trained = card_json.get("config", {})
    clash = sorted(k for k in cfg if k not in TRAINING_KEYS and k in trained and trained[k] != cfg[k])
    if clash:
        raise SystemExit(f"{card}: network keys differ from the --config given: {', '.join(clash)}")
    return (dict(cfg, **{k: v for k, v in trained.items() if k in TRAINING_KEYS}),
            card_json.get("leukocyteAgreementPower", 0))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--config", default="lite")
    ap.add_argument("--set", nargs="*", default=[])
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", default=None)
    ap.add_argument("--calib", type=int, default=64, help="BCCD trainval images for BatchNorm statistics")
    args = ap.parse_args(argv)
    cfg, power = from_card(get_config(args.config, **parse_overrides(args.set)), args.onnx)
    images = None
    if args.calib > 0:
        from .data import sources
        from .data.dataset import DetectionDataset
        recs = sources.bccd("trainval", args.data)[:args.calib]
        ds = DetectionDataset(recs, cfg["input_w"], cfg["input_h"], train=False)
        images = torch.stack([ds[i][0] for i in range(len(ds))])
    model, report = recover(args.onnx, cfg, images, agreement_power=power)
    print(json.dumps(report, indent=1))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save({"model": model.state_dict(), "cfg": cfg, "recovered_from": os.path.abspath(args.onnx)}, args.out)
    print(f"[recover] wrote {args.out}")


if __name__ == "__main__":
    main()

"""Model cards: the JSON beside each exported .onnx, its file hashes and the training history it records."""
import hashlib
import json
import os
import platform

import torch

from .config import AUGMENT_KEYS, BASE
from .data.scale import median_rbc_diameter


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def card_path(onnx_path: str) -> str:
    """models/<name>.onnx -> models/<name>.json, the model card beside the file."""
    return os.path.splitext(onnx_path)[0] + ".json"


def card_training(path: str):
    """The `training` entry of the card at path, or None where there is no card."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f).get("training")


def training_history(ck: dict, card: str) -> dict:
    """The card's `training` entry for a checkpoint. card: the card this export overwrites (a
    warm-started run continues its history). A training.recover_onnx checkpoint has no training
    state: its history is that of the file it was recovered from (the card beside that file)."""
    if "extended_from" in ck:  # training.tools.extend_decoder: the base checkpoint's history + the new layer
        ext = dict(ck["extended_from"])
        base_path = ext.pop("checkpoint")
        base = (training_history(torch.load(base_path, map_location="cpu"), card) if os.path.exists(base_path)
                else {"pretrained": "none (from scratch)", "note": f"base checkpoint {base_path} not found"})
        return dict(base, extendedDecoder=dict(
            ext, base=os.path.basename(base_path),
            what="one decoder layer appended and trained alone on the frozen model's cached encoder memory "
                 "(training/tools/extend_decoder.py)"))
    if "state" not in ck:
        src = ck.get("recovered_from")
        previous = card_training(card_path(src)) if src else None
        return dict(previous or {"pretrained": "none (from scratch)"},
                    recoveredFrom=os.path.basename(src) if src else "unknown (no training state in the checkpoint)")
    training = {"iterations": ck["state"]["iter"], "minutes": round(ck["state"]["elapsed_s"] / 60, 1),
                "hardware": f"{platform.machine()} CPU, {os.cpu_count()} cores, torch {torch.__version__}",
                "pretrained": "none (from scratch)",
                "weights": (f"exponential moving average of the training weights (decay {ck['ema']['decay']})"
                            if "ema" in ck else "last training iterate")}
    if ck["state"].get("swa"):  # training.swa: the mean of successive runs' final weights
        runs = ck["state"]["swa"]
        training["weights"] = (f"mean of the final weights of {len(runs)} successive warm-restarted runs (SWA over "
                               "cycle ends, training/swa.py); each run's EMA where it has one")
        training["averaged"] = [{"run": os.path.basename(os.path.dirname(r["checkpoint"])), "weights": r["weights"],
                                 "iterations": r["iter"]} for r in runs]
    if ck["state"].get("init"):
        # warm start (train --init) from weights recovered from the card's own model: keep its history
        previous = card_training(card)
        training["warmStartFrom"] = {"weights": os.path.basename(ck["state"]["init"]), "previousTraining": previous}
        if previous:
            training["totalIterations"] = training["iterations"] + previous.get("totalIterations", previous["iterations"])
            training["totalMinutes"] = round(training["minutes"] + previous.get("totalMinutes", previous["minutes"]), 1)
    return training


def training_scale(cfg: dict, bccd_trainval) -> dict:
    """The card's `trainingScale`: the median red-cell diameter (sqrt(w * h) of the RBC boxes, the
    annotation convention) in model-input pixels of the training views. The pipeline resamples frames
    so that red cells come out this size. Both training geometries are centred on BCCD trainval under
    the card's resize rule: the older crop rule draws BCCD fields, and scale_norm brings every source
    to that diameter before a zoom whose median is 1."""
    d = median_rbc_diameter(bccd_trainval, None, cfg["input_w"], cfg["input_h"])
    how = ("every source resampled to it (scale_norm), then zoomed" if cfg.get("scale_norm")
           else "BCCD fields stretched to the input, then random crops of 0.55-1 of the side (zoom in only)")
    return {"rbcDiameterPx": round(d, 1),
            "source": f"BCCD trainval ({len(bccd_trainval)} images) RBC boxes, median sqrt(w*h), whole frame "
                      f"stretched to {cfg['input_w']}x{cfg['input_h']}; training views: {how}"}


def augmentation(cfg: dict) -> dict:
    """The card's `augmentation`: what the training views went through (config keys and their values)."""
    keys = ("scale_min", "aspect_jitter") + AUGMENT_KEYS
    return {"always": "90-degree rotations, horizontal and vertical flips, colour jitter (per-channel gain, gamma, "
                      "saturation, contrast, brightness; 80% of views)",
            "geometry": "per-source scale normalisation + log-uniform zoom, mosaics when zooming out "
                        "(training/data/scale.py)" if cfg.get("scale_norm") else
                        "random 4:3 crop with aspect jitter (training/data/transforms.py)",
            "crossDevice": "HED stain jitter, tinted background + hue shift, vignetting, defocus/motion blur, sensor "
                           "noise, JPEG, eyepiece circle (training/data/robust.py)" if any(
                               cfg.get(k, BASE[k]) for k in AUGMENT_KEYS[4:]) else "none",
            "keys": {k: cfg.get(k, BASE[k]) for k in keys}}

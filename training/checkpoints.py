"""Training checkpoints: where runs keep them, how they are written, and how a model is read back.

A run's `last.pt` holds {model, opt, ema, state, cfg} (train.checkpoint); training.swa and
training.recover_onnx write {model, cfg, state?} with the same keys for the weights.
"""
import os
from typing import Dict, Optional

import torch


def cache_dir(run: str, base: str = None) -> str:
    base = base or os.environ.get("LEUKOSCAN_CACHE") or os.path.expanduser("~/.cache/leukoscan")
    path = os.path.join(base, run)
    os.makedirs(path, exist_ok=True)
    return path


def save_atomic(obj, path: str):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def checkpoint_weights(ck: dict, weights: str = "ema") -> dict:
    """The state dict to use from a training checkpoint: the weight average ("ema", when the
    checkpoint has one) or the last training iterate ("model")."""
    if weights not in ("ema", "model"):
        raise ValueError(f"weights must be 'ema' or 'model', not {weights!r}")
    return ck["ema"]["model"] if weights == "ema" and "ema" in ck else ck["model"]


def read_checkpoint(path: str) -> Dict:
    if not os.path.exists(path):
        raise SystemExit(f"checkpoint not found: {path}")
    return torch.load(path, map_location="cpu")


def load_checkpoint(path: str, weights: str = "ema", agreement_power: Optional[float] = None):
    """-> (model in eval mode, cfg). agreement_power: the leukocyte rescoring (models/scoring.py);
    None: the model's default."""
    return model_from_checkpoint(read_checkpoint(path), weights, agreement_power)


def model_from_checkpoint(ck: Dict, weights: str = "ema", agreement_power: Optional[float] = None):
    """A checkpoint already read (read_checkpoint) -> (model in eval mode, cfg)."""
    from .models.mfds_detr import MFDSDETR
    model = MFDSDETR(ck["cfg"], agreement_power)
    model.load_state_dict(checkpoint_weights(ck, weights))
    model.eval()
    return model, ck["cfg"]

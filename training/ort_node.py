"""Run an ONNX model with onnxruntime-node (the runtime leukoscan ships) from Python.

Debian has no Python onnxruntime, so the shipped files are run through `scripts/ort-run.mjs`: the
input goes to a temporary raw float32 file, the outputs come back as JSON. One node process per call
(about half a second to start and load a model): for evaluation and parity tests, not for serving.
"""
import json
import os
import shutil
import subprocess
import tempfile
from typing import Dict

import numpy as np
import torch

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ort_run(model_path: str, x: torch.Tensor, timeout: float = 300) -> Dict[str, np.ndarray]:
    """x [N, C, H, W] float32, fed as the model's `images` input -> {output name: array}."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is required to run ONNX models (onnxruntime-node)")
    if not os.path.exists(model_path):
        raise FileNotFoundError(f"ONNX model not found: {model_path}")
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "input.f32")
        x.detach().numpy().astype(np.float32).tofile(inp)
        res = subprocess.run([node, os.path.join(REPO, "scripts", "ort-run.mjs"), os.path.abspath(model_path), inp,
                              ",".join(str(d) for d in x.shape)], capture_output=True, text=True, cwd=REPO,
                             timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError(f"onnxruntime-node failed on {model_path}: {res.stderr.strip()[-2000:]}")
    out = json.loads(res.stdout)
    return {k: np.asarray(v["data"], dtype=np.float32).reshape(v["dims"]) for k, v in out.items()}


class NodeOnnxRunner:
    """Detector runner over onnxruntime-node: batch [N, 3, H, W] -> (logits, boxes) tensors."""

    def __init__(self, path: str):
        self.path = path

    def __call__(self, batch: torch.Tensor):
        out = ort_run(self.path, batch)
        return torch.from_numpy(out["logits"]), torch.from_numpy(out["boxes"])


class NodeOnnxTyper:
    """The shipped typer file (TTA and prior correction inside the graph): crops [N, 3, S, S]
    normalised -> logits [N, 5]."""

    def __init__(self, path: str):
        self.path = path

    def __call__(self, crops: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(ort_run(self.path, crops)["logits"])

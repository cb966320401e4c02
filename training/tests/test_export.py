"""Export parity: the ONNX model run by onnxruntime-node gives the PyTorch outputs."""
import json
import os
import shutil
import subprocess

import numpy as np
import pytest
import torch

from training.config import get_config
from training.export import export_onnx
from training.models.mfds_detr import MFDSDETR

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _ort_run(model_path, x, tmp_path):
    inp = tmp_path / "input.f32"
    x.numpy().astype(np.float32).tofile(inp)
    node = shutil.which("node")
    assert node, "node is required for the ONNX Runtime parity test"
    res = subprocess.run([node, os.path.join(REPO, "scripts", "ort-run.mjs"), str(model_path), str(inp),
                          ",".join(str(d) for d in x.shape)], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


@pytest.mark.parametrize("fp16_storage", [False, True])
def test_onnx_runtime_matches_pytorch(tmp_path, fp16_storage):
    torch.manual_seed(0)
    cfg = get_config("tiny")
    model = MFDSDETR(cfg).eval()
    # move the heads away from their init so the comparison is not trivial
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    path = tmp_path / "tiny.onnx"
    with torch.no_grad():
        before = model(torch.ones(1, 3, cfg["input_h"], cfg["input_w"]))[0]
    export_onnx(model, cfg, str(path))
    assert not model.training, "export left the model in training mode"
    with torch.no_grad():
        after = model(torch.ones(1, 3, cfg["input_h"], cfg["input_w"]))[0]
    assert torch.equal(before, after), "export changed the PyTorch model"
    if fp16_storage:
        from training.onnx_fp16_storage import to_fp16_storage
        to_fp16_storage(str(path), str(path))
        with torch.no_grad():  # the reference uses the same rounded weights
            for p in model.parameters():
                if p.numel() >= 1024:
                    p.copy_(p.half().float())
    x = torch.randn(2, 3, cfg["input_h"], cfg["input_w"])
    with torch.no_grad():
        logits, boxes = model(x)
    out = _ort_run(path, x, tmp_path)
    assert out["logits"]["dims"] == list(logits.shape)
    assert out["boxes"]["dims"] == list(boxes.shape)
    np.testing.assert_allclose(np.array(out["logits"]["data"]).reshape(logits.shape), logits.numpy(), atol=2e-4, rtol=1e-3)
    np.testing.assert_allclose(np.array(out["boxes"]["data"]).reshape(boxes.shape), boxes.numpy(), atol=2e-5, rtol=1e-3)

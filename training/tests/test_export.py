"""Export parity: the ONNX model run by onnxruntime-node gives the PyTorch outputs."""

import numpy as np
import pytest
import torch

from training.config import get_config
from training.export import export_onnx
from training.models.mfds_detr import MFDSDETR
from training.ort_node import ort_run


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
    out = ort_run(str(path), x)
    assert out["logits"].shape == logits.shape
    assert out["boxes"].shape == boxes.shape
    np.testing.assert_allclose(out["logits"], logits.numpy(), atol=2e-4, rtol=1e-3)
    np.testing.assert_allclose(out["boxes"], boxes.numpy(), atol=2e-5, rtol=1e-3)


def test_recovered_checkpoint_keeps_the_history_of_the_file_it_came_from(tmp_path):
    """training.recover_onnx output has no training state: export takes the history from the card
    beside the ONNX file it was recovered from, and says so."""
    import json
    from training.cards import training_history
    src = tmp_path / "m.onnx"
    (tmp_path / "m.json").write_text(json.dumps({"training": {"iterations": 9684, "minutes": 595}}))
    got = training_history({"model": {}, "cfg": {}, "recovered_from": str(src)}, str(tmp_path / "new.json"))
    assert got == {"iterations": 9684, "minutes": 595, "recoveredFrom": "m.onnx"}
    bare = training_history({"model": {}, "cfg": {}}, str(tmp_path / "new.json"))
    assert bare["recoveredFrom"].startswith("unknown")
    run = training_history({"state": {"iter": 5, "elapsed_s": 120.0}}, str(tmp_path / "new.json"))
    assert run["iterations"] == 5 and run["minutes"] == 2.0 and run["weights"] == "last training iterate"


def test_card_training_scale_is_bccd_trainval_rbc_median_at_the_input_size():
    from training.cards import augmentation, training_scale
    from training.config import CLASSES, get_config
    from training.data.annotations import Record
    rbc = CLASSES.index("RBC")
    recs = [Record("a", 640, 480, [[0, 0, 100, 100], [0, 0, 50, 50], [0, 0, 90, 160]], [rbc, rbc, 0], "bccd")]
    cfg = get_config("lite")
    got = training_scale(cfg, recs)
    assert got["rbcDiameterPx"] == pytest.approx(0.8 * 75.0)  # median of 100 and 50, x 512/640 = 384/480
    assert "crops" in got["source"]
    robust = get_config("lite-robust")
    assert "scale_norm" in training_scale(robust, recs)["source"]
    assert augmentation(cfg)["crossDevice"] == "none" and augmentation(robust)["crossDevice"] != "none"
    assert augmentation(robust)["keys"]["stain_sigma"] == robust["stain_sigma"]

"""Recovering PyTorch weights from an exported ONNX file gives back the exported model."""
import pytest
import torch

from training.config import get_config
from training.export import export_onnx
from training.models.mfds_detr import MFDSDETR
from training.models.scoring import AGREEMENT_POWER
from training.onnx_fp16_storage import to_fp16_storage
from training.recover_onnx import recover


def _trained_looking_model(cfg, seed=3):
    torch.manual_seed(seed)
    model = MFDSDETR(cfg).eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):  # statistics far from the identity
                m.weight.uniform_(0.3, 2.0)
                m.bias.uniform_(-1, 1)
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.2, 3.0)
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    return model


@pytest.mark.parametrize("power", [0.0, AGREEMENT_POWER])
def test_recovered_model_matches_the_exported_one(tmp_path, power):
    """Also from a file exported before the leukocyte rescoring (power 0): its graph, hence its
    initializer names, differ from today's export."""
    cfg = get_config("tiny")
    model = _trained_looking_model(cfg)
    model.agreement_power = power
    path = str(tmp_path / "tiny.onnx")
    export_onnx(model, cfg, path)
    to_fp16_storage(path, path)
    with torch.no_grad():  # the file holds rounded weights
        for p in model.parameters():
            if p.numel() >= 1024:
                p.copy_(p.half().float())
    calib = torch.rand(4, 3, cfg["input_h"], cfg["input_w"])
    recovered, report = recover(path, cfg, calib, agreement_power=power)
    assert report["unmatched_params"] == [] and report["missing_in_onnx"] == []
    assert report["fused_bn"] == sum(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())
    recovered.eval()
    x = torch.randn(2, 3, cfg["input_h"], cfg["input_w"])
    with torch.no_grad():
        want_logits, want_boxes = model(x)
        got_logits, got_boxes = recovered(x)
    torch.testing.assert_close(got_logits, want_logits, atol=2e-3, rtol=1e-3)
    torch.testing.assert_close(got_boxes, want_boxes, atol=2e-4, rtol=1e-3)


def test_calibrated_batchnorm_keeps_training_mode_close(tmp_path):
    """BN rebuilt from measured statistics: batch statistics of the calibration images reproduce the
    eval output, so training can resume from the recovered weights."""
    cfg = get_config("tiny")
    model = _trained_looking_model(cfg, seed=4)
    path = str(tmp_path / "tiny.onnx")
    export_onnx(model, cfg, path)
    calib = torch.rand(4, 3, cfg["input_h"], cfg["input_w"])
    recovered, _ = recover(path, cfg, calib)
    with torch.no_grad():
        want = recovered.eval()(calib)[1]
        recovered.train()
        got = recovered(calib)[1]
    torch.testing.assert_close(got, want, atol=1e-3, rtol=1e-3)


def test_recovered_checkpoint_takes_the_training_recipe_from_the_card(tmp_path):
    import json
    from training.recover_onnx import from_card
    cfg = get_config("tiny")
    onnx_path = str(tmp_path / "m.onnx")
    assert from_card(cfg, onnx_path) == (cfg, None)  # no card: unchanged, the model's default power
    (tmp_path / "m.json").write_text(json.dumps({"config": dict(cfg, lr=1e-4, bccd_weight=0.75)}))
    got, power = from_card(cfg, onnx_path)
    assert power == 0  # a card from before the rescoring
    assert got["lr"] == 1e-4 and got["bccd_weight"] == 0.75
    assert {k: v for k, v in got.items() if k not in ("lr", "bccd_weight")} == \
        {k: v for k, v in cfg.items() if k not in ("lr", "bccd_weight")}
    (tmp_path / "m.json").write_text(json.dumps({"config": dict(cfg, d_model=cfg["d_model"] * 2)}))
    with pytest.raises(SystemExit, match="d_model"):
        from_card(cfg, onnx_path)

"""Leukocyte scores times decoder box agreement (models/scoring.py)."""
import pytest
import torch

from training.config import LEUKOCYTE_IDS, get_config
from training.models.mfds_detr import MFDSDETR
from training.models.scoring import layer_agreement, rescore


def test_layer_agreement_is_the_iou_of_the_last_two_layers():
    b = torch.tensor([[0.5, 0.5, 0.2, 0.2], [0.2, 0.2, 0.1, 0.1]])  # [Q=2, 4] cxcywh
    moved = torch.tensor([[0.5, 0.5, 0.2, 0.2], [0.3, 0.2, 0.1, 0.1]])  # query 1 moved by its width
    half = torch.tensor([[0.55, 0.5, 0.2, 0.2], [0.9, 0.9, 0.1, 0.1]])  # query 0 shifted by half its width
    boxes = torch.stack([half, moved, b])[:, None]  # [D=3, N=1, Q=2, 4]
    got = layer_agreement(boxes)
    assert got.shape == (1, 2)
    assert got[0, 0] == pytest.approx(1.0)       # last two layers identical; the first does not count
    assert got[0, 1] == pytest.approx(0.0, abs=1e-6)
    shifted = layer_agreement(torch.stack([b, half])[:, None])[0, 0]
    assert shifted == pytest.approx(0.15 * 0.2 / (2 * 0.04 - 0.15 * 0.2))
    with pytest.raises(ValueError):
        layer_agreement(boxes[:1])


def test_rescore_scales_leukocyte_probabilities_only():
    torch.manual_seed(0)
    logits = torch.randn(2, 5, 7)
    agreement = torch.rand(2, 5)
    out = rescore(logits, agreement, LEUKOCYTE_IDS, 8.0)
    want = logits.sigmoid()[..., :5] * agreement[..., None] ** 8
    torch.testing.assert_close(out[..., :5].sigmoid(), want.clamp(min=1e-6), atol=1e-6, rtol=1e-4)
    assert torch.equal(out[..., 5:], logits[..., 5:])
    assert rescore(logits, agreement, LEUKOCYTE_IDS, 0) is logits


def test_rescore_ranks_the_settled_box_first():
    logits = torch.tensor([[[2.0], [1.9]]])  # query 0 slightly more confident ...
    agreement = torch.tensor([[0.80, 0.95]])  # ... but its box still moves
    out = rescore(logits, agreement, [0], 8.0)
    assert out[0, 1, 0] > out[0, 0, 0]


def test_model_forward_applies_the_agreement_power():
    torch.manual_seed(0)
    cfg = get_config("tiny")
    model = MFDSDETR(cfg).eval()
    with torch.no_grad():  # at init the box refinements are zero and every layer agrees
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    x = torch.randn(1, 3, cfg["input_h"], cfg["input_w"])
    with torch.no_grad():
        all_logits, all_boxes = model.forward_all(x)
        model.agreement_power = 0
        plain, boxes0 = model(x)
        model.agreement_power = 8.0
        scored, boxes8 = model(x)
    assert all_boxes.shape[0] >= 2, "tiny config needs two decoder layers for this test"
    assert torch.equal(plain, all_logits[-1]) and torch.equal(boxes0, boxes8)
    torch.testing.assert_close(scored, rescore(all_logits[-1], layer_agreement(all_boxes), LEUKOCYTE_IDS, 8.0))
    assert not torch.equal(scored[..., :5], plain[..., :5])
    assert torch.equal(scored[..., 5:], plain[..., 5:])


def test_one_decoder_layer_means_plain_scores():
    """Nothing to compare the last layer's boxes with: the model (hence its card) says power 0,
    and forcing a power is an error, not a silent no-op."""
    cfg = get_config("tiny", dec_layers=1)
    model = MFDSDETR(cfg).eval()
    assert model.agreement_power == 0
    x = torch.randn(1, 3, cfg["input_h"], cfg["input_w"])
    with torch.no_grad():
        logits, _ = model(x)
        assert torch.equal(logits, model.forward_all(x)[0][-1])
        model.agreement_power = 8.0
        with pytest.raises(ValueError, match="two decoder layers"):
            model(x)

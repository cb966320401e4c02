import math

import pytest
import torch

from training.box_ops import box_cxcywh_to_xyxy, box_xyxy_to_cxcywh, generalized_box_iou
from training.config import CLASSES, UNTYPED_WBC, LEUKOCYTE_IDS
from training.losses import class_targets, sigmoid_focal_loss


def test_focal_loss_known_values():
    # p = sigmoid(0) = 0.5; positive: alpha * (1-p)^2 * -log(p) = 0.25 * 0.25 * ln 2
    pos = sigmoid_focal_loss(torch.tensor([0.0]), torch.tensor([1.0]), torch.ones(1))
    assert pos.item() == pytest.approx(0.25 * 0.25 * math.log(2), rel=1e-6)
    # negative with logit 2: p = sigmoid(2); (1-alpha) * p^2 * -log(1-p)
    p = 1 / (1 + math.exp(-2))
    neg = sigmoid_focal_loss(torch.tensor([2.0]), torch.tensor([0.0]), torch.ones(1))
    assert neg.item() == pytest.approx(0.75 * p ** 2 * -math.log(1 - p), rel=1e-6)


def test_focal_loss_down_weights_easy_examples():
    easy = sigmoid_focal_loss(torch.tensor([4.0]), torch.tensor([1.0]), torch.ones(1))
    hard = sigmoid_focal_loss(torch.tensor([-4.0]), torch.tensor([1.0]), torch.ones(1))
    assert hard.item() > 1000 * easy.item()


def test_giou_known_values():
    a = torch.tensor([[0.0, 0.0, 2.0, 2.0]])
    assert generalized_box_iou(a, a).item() == pytest.approx(1.0)
    # half overlap: inter 2, union 6, hull 2x3=6 -> iou 1/3, giou 1/3
    assert generalized_box_iou(a, torch.tensor([[1.0, 0.0, 3.0, 2.0]])).item() == pytest.approx(1 / 3)
    # disjoint: iou 0, hull 4x2=8, union 8 -> 0; further apart: hull 5x2=10 -> -(10-8)/10
    assert generalized_box_iou(a, torch.tensor([[2.0, 0.0, 4.0, 2.0]])).item() == pytest.approx(0.0)
    assert generalized_box_iou(a, torch.tensor([[3.0, 0.0, 5.0, 2.0]])).item() == pytest.approx(-0.2)


def test_box_conventions_round_trip():
    b = torch.tensor([[0.1, 0.2, 0.5, 0.9]])
    assert torch.allclose(box_xyxy_to_cxcywh(box_cxcywh_to_xyxy(b)), b)


def test_untyped_leukocyte_teaches_leukocyte_without_a_type():
    logits = torch.zeros(1, 2, len(CLASSES))
    logits[0, 0, CLASSES.index("LYM")] = 1.0  # the model's favourite type for query 0
    targets = [{"labels": torch.tensor([UNTYPED_WBC])}]
    onehot, weights = class_targets(logits, targets, [(torch.tensor([0]), torch.tensor([0]))])
    lym = CLASSES.index("LYM")
    assert onehot[0, 0].tolist() == [1.0 if c == lym else 0.0 for c in range(len(CLASSES))]
    # other leukocyte types get no loss; RBC and platelets stay negatives
    assert [weights[0, 0, c].item() for c in LEUKOCYTE_IDS] == [1.0 if c == lym else 0.0 for c in LEUKOCYTE_IDS]
    assert weights[0, 0, CLASSES.index("RBC")].item() == 1.0
    # an unmatched query is a negative everywhere
    assert onehot[0, 1].sum().item() == 0 and weights[0, 1].min().item() == 1.0

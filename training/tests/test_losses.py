import math

import pytest
import torch

from training.box_ops import box_cxcywh_to_xyxy, box_xyxy_to_cxcywh, generalized_box_iou
from training.config import CLASSES, UNTYPED_WBC, LEUKOCYTE_IDS, get_config
from training.losses import box_weights, class_targets, layer_losses, sigmoid_focal_loss


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


def test_leukocyte_box_weight_scales_only_leukocyte_box_terms():
    wbc, rbc = torch.tensor([0.3, 0.3, 0.2, 0.2]), torch.tensor([0.7, 0.7, 0.1, 0.1])
    targets = [{"labels": torch.tensor([CLASSES.index("MON"), CLASSES.index("RBC")]),
                "boxes": torch.stack([wbc, rbc])}]
    boxes = torch.stack([wbc + torch.tensor([0.02, 0, 0, 0]), rbc + torch.tensor([0, 0.04, 0, 0])])[None]
    logits = torch.zeros(1, 2, len(CLASSES))
    parts = {k: layer_losses(logits, boxes, targets, get_config("lite", box_weight_leukocyte=k), 2.0)
             for k in (1.0, 3.0)}
    # the leukocyte's L1 is 0.02 / 2 boxes; weight 3 adds twice that, the RBC's part stays
    assert parts[1.0]["l1"].item() == pytest.approx((0.02 + 0.04) / 2)
    assert parts[3.0]["l1"].item() == pytest.approx((3 * 0.02 + 0.04) / 2)
    assert parts[3.0]["giou"].item() > parts[1.0]["giou"].item()
    assert parts[3.0]["focal"].item() == pytest.approx(parts[1.0]["focal"].item())
    labels = torch.tensor([CLASSES.index("Platelets"), UNTYPED_WBC, CLASSES.index("BAS")])
    assert box_weights(labels, 4.0).tolist() == [1.0, 4.0, 4.0]


def test_box_iou_pairs_matches_the_iou_matrix_diagonal():
    a = torch.tensor([[0.0, 0.0, 2.0, 2.0], [0.0, 0.0, 1.0, 1.0]])
    b = torch.tensor([[1.0, 0.0, 3.0, 2.0], [0.0, 0.0, 1.0, 1.0]])
    from training.box_ops import box_iou, box_iou_pairs
    assert box_iou_pairs(a, b).tolist() == pytest.approx([1 / 3, 1.0])
    assert torch.allclose(box_iou_pairs(a, b), box_iou(a, b)[0].diagonal())


def test_varifocal_loss_known_values_and_ranking():
    from training.losses import varifocal_loss
    # positive with target q = 0.8 at p = 0.5: q * BCE(0.5, 0.8) = 0.8 * ln 2
    pos = varifocal_loss(torch.tensor([0.0]), torch.tensor([0.8]), torch.ones(1))
    assert pos.item() == pytest.approx(0.8 * math.log(2), rel=1e-6)
    # a negative is the focal negative with alpha 0.75
    p = 1 / (1 + math.exp(-2))
    neg = varifocal_loss(torch.tensor([2.0]), torch.tensor([0.0]), torch.ones(1))
    assert neg.item() == pytest.approx(0.75 * p ** 2 * -math.log(1 - p), rel=1e-6)
    # the minimum over the logit sits at the target: the score learns the IoU
    logit = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([logit], lr=5.0)
    for _ in range(300):
        opt.zero_grad()
        varifocal_loss(logit, torch.tensor([0.7]), torch.ones(1)).sum().backward()
        opt.step()
    assert logit.sigmoid().item() == pytest.approx(0.7, abs=1e-3)


def test_iou_class_targets_follow_box_fit():
    from training.losses import matched_iou_targets
    logits = torch.zeros(1, 3, len(CLASSES))
    targets = [{"labels": torch.tensor([0, UNTYPED_WBC])}]
    matches = [(torch.tensor([2, 0]), torch.tensor([0, 1]))]
    onehot, _ = class_targets(logits, targets, matches)
    tgt = torch.tensor([[0.5, 0.5, 0.2, 0.2], [0.2, 0.2, 0.1, 0.1]])
    src = torch.tensor([[0.5, 0.5, 0.2, 0.2], [0.2, 0.2, 0.1, 0.05]])  # exact; half the height
    q = matched_iou_targets(onehot, matches, src, tgt)
    assert q[0, 2, 0].item() == pytest.approx(1.0)
    assert q[0, 0].max().item() == pytest.approx(0.5)  # untyped: its best type gets the IoU
    assert q[0, 1].sum().item() == 0  # unmatched query: negative
    assert (q > 0).sum().item() == 2

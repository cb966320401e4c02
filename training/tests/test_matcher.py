import torch

from training.config import CLASSES, UNTYPED_WBC
from training.matcher import hungarian_match

RBC, NEU = CLASSES.index("RBC"), CLASSES.index("NEU")


def _logits(q, k, hot):
    x = torch.full((1, q, k), -6.0)
    for qi, c in hot:
        x[0, qi, c] = 6.0
    return x


def test_each_target_goes_to_the_query_with_its_box_and_class():
    boxes = torch.tensor([[[0.2, 0.2, 0.1, 0.1], [0.7, 0.7, 0.2, 0.2], [0.5, 0.5, 0.3, 0.3]]])
    logits = _logits(3, len(CLASSES), [(0, RBC), (1, NEU), (2, RBC)])
    tgt = [{"labels": torch.tensor([NEU, RBC]), "boxes": torch.tensor([[0.7, 0.7, 0.2, 0.2], [0.2, 0.2, 0.1, 0.1]])}]
    (qi, ti), = hungarian_match(logits, boxes, tgt)
    assert dict(zip(ti.tolist(), qi.tolist())) == {0: 1, 1: 0}


def test_class_cost_breaks_a_box_tie():
    boxes = torch.tensor([[[0.5, 0.5, 0.2, 0.2], [0.5, 0.5, 0.2, 0.2]]])
    logits = _logits(2, len(CLASSES), [(0, RBC), (1, NEU)])
    tgt = [{"labels": torch.tensor([NEU]), "boxes": torch.tensor([[0.5, 0.5, 0.2, 0.2]])}]
    (qi, ti), = hungarian_match(logits, boxes, tgt)
    assert qi.tolist() == [1]


def test_untyped_leukocyte_matches_a_query_confident_in_any_leukocyte_type():
    boxes = torch.tensor([[[0.5, 0.5, 0.2, 0.2], [0.5, 0.5, 0.2, 0.2]]])
    logits = _logits(2, len(CLASSES), [(0, RBC), (1, CLASSES.index("EOS"))])
    tgt = [{"labels": torch.tensor([UNTYPED_WBC]), "boxes": torch.tensor([[0.5, 0.5, 0.2, 0.2]])}]
    (qi, _), = hungarian_match(logits, boxes, tgt)
    assert qi.tolist() == [1]


def test_image_without_targets_matches_nothing():
    (qi, ti), = hungarian_match(torch.zeros(1, 4, len(CLASSES)), torch.rand(1, 4, 4),
                                [{"labels": torch.zeros(0, dtype=torch.int64), "boxes": torch.zeros(0, 4)}])
    assert qi.numel() == 0 and ti.numel() == 0

"""Post-processing: top-k, the class-grouped NMS, the merged WBC label space."""
import math

import torch

from training.config import CLASSES, POSTPROCESS
from training.postprocess import group_of_class, nms_sorted, postprocess


def logit(p):
    return math.log(p / (1 - p))


def test_nms_sorted_groups_and_chain():
    boxes = torch.tensor([[0, 0, 10, 10], [3, 0, 13, 10], [6, 0, 16, 10], [0, 0, 10, 10]], dtype=torch.float)
    # a suppressed box suppresses nothing: 0 removes 1 (IoU .54), 2 survives (IoU .25 with 0)
    assert nms_sorted(boxes[:3], torch.tensor([0, 0, 0]), 0.5).tolist() == [0, 2]
    # same box, another group: kept
    assert nms_sorted(boxes[[0, 3]], torch.tensor([0, 1]), 0.5).tolist() == [0, 1]
    assert nms_sorted(boxes[:0], torch.tensor([], dtype=torch.long), 0.5).tolist() == []


def test_group_of_class_puts_the_leukocyte_types_together():
    g = group_of_class(POSTPROCESS)
    assert len({g[CLASSES.index(t)] for t in ("NEU", "LYM", "MON", "EOS", "BAS")}) == 1
    assert len(set(g)) == 3  # leukocytes, RBC, platelets


def test_one_query_under_two_types_becomes_one_leukocyte():
    q, c = 3, len(CLASSES)
    logits = torch.full((1, q, c), -9.0)
    logits[0, 0, CLASSES.index("NEU")] = logit(0.6)
    logits[0, 0, CLASSES.index("EOS")] = logit(0.5)
    logits[0, 1, CLASSES.index("RBC")] = logit(0.9)
    logits[0, 2, CLASSES.index("Platelets")] = logit(0.8)
    boxes = torch.tensor([[[0.5, 0.5, 0.2, 0.2], [0.5, 0.5, 0.2, 0.2], [0.1, 0.1, 0.05, 0.05]]])
    plain = postprocess(logits, boxes, [(100, 100)], top_k=5)[0]
    assert {"NEU", "EOS"} <= {CLASSES[i] for i in plain["labels"].tolist()}
    with_nms = postprocess(logits, boxes, [(100, 100)], top_k=5, nms=POSTPROCESS)[0]
    names = [CLASSES[i] for i in with_nms["labels"].tolist()]
    # NEU and EOS of query 0 collapse to NEU; the RBC on the same box is another group and stays
    assert names[:3] == ["RBC", "Platelets", "NEU"]
    assert "EOS" not in names

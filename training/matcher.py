"""Hungarian matching between queries and ground truth (Deformable-DETR's focal cost)."""
from typing import Dict, List, Tuple

import torch
from scipy.optimize import linear_sum_assignment
from torch import Tensor

from .box_ops import box_cxcywh_to_xyxy, generalized_box_iou
from .config import LEUKOCYTE_IDS, UNTYPED_WBC


def class_probabilities_for_targets(prob: Tensor, labels: Tensor) -> Tensor:
    """prob [Q, K] sigmoid scores; labels [T] (UNTYPED_WBC allowed) -> [Q, T] probability of the
    target's class; an untyped leukocyte takes the best of the five leukocyte types."""
    any_wbc = prob[:, LEUKOCYTE_IDS].max(dim=1, keepdim=True)[0]  # [Q, 1]
    ext = torch.cat([prob, any_wbc], dim=1)  # [Q, K + 1]; column K == UNTYPED_WBC
    return ext[:, labels]


@torch.no_grad()
def hungarian_match(logits: Tensor, boxes: Tensor, targets: List[Dict[str, Tensor]],
                    cost_class: float = 2.0, cost_l1: float = 5.0, cost_giou: float = 2.0,
                    alpha: float = 0.25, gamma: float = 2.0) -> List[Tuple[Tensor, Tensor]]:
    """logits [N, Q, K]; boxes [N, Q, 4] cxcywh; targets: per image {'labels' [T], 'boxes' [T, 4] cxcywh}.
    Returns per image (query indices [T'], target indices [T'])."""
    out = []
    for b, t in enumerate(targets):
        if t["labels"].numel() == 0:
            empty = torch.empty(0, dtype=torch.int64)
            out.append((empty, empty))
            continue
        prob = logits[b].sigmoid()
        p = class_probabilities_for_targets(prob, t["labels"])
        neg = (1 - alpha) * (p ** gamma) * (-(1 - p + 1e-8).log())
        pos = alpha * ((1 - p) ** gamma) * (-(p + 1e-8).log())
        c_class = pos - neg
        c_l1 = torch.cdist(boxes[b], t["boxes"], p=1)
        c_giou = -generalized_box_iou(box_cxcywh_to_xyxy(boxes[b]), box_cxcywh_to_xyxy(t["boxes"]))
        cost = cost_l1 * c_l1 + cost_class * c_class + cost_giou * c_giou
        qi, ti = linear_sum_assignment(cost.cpu().numpy())
        out.append((torch.as_tensor(qi, dtype=torch.int64), torch.as_tensor(ti, dtype=torch.int64)))
    return out

"""Leukocyte scores that follow box fit (leukoscan's addition; not in the paper).

The decoder refines each query's box layer by layer. Where the last two layers agree, the box has
settled; where the last layer still moves it, the box is loose. A leukocyte query's class
probability p becomes p * IoU(b_last, b_previous) ** power, so that among leukocytes the well-fitted
boxes rank first (COCO AP over IoU .50:.95 rewards exactly that) and unsettled duplicates fall
under the score threshold. Other classes keep their scores. The ONNX export carries this in the
graph: `logits` are the rescored logits and every consumer (src/detect, training.evaluate) sees
the same numbers.
"""
from typing import Sequence

import torch
from torch import Tensor

from ..box_ops import box_cxcywh_to_xyxy, box_iou_pairs, inverse_sigmoid

# Chosen on BCCD trainval with the shipped lite weights (training/README.md "Leukocyte scores that
# follow box fit"): the largest power whose leukocyte recall at the live score threshold (0.15)
# stays within 1% of the plain scores'.
AGREEMENT_POWER = 8.0


def layer_agreement(boxes: Tensor) -> Tensor:
    """IoU of each query's box in the last decoder layer with its box in the layer before.
    boxes [D, N, Q, 4] cxcywh (D >= 2) -> [N, Q] in [0, 1]."""
    if boxes.shape[0] < 2:
        raise ValueError(f"layer agreement needs at least two decoder layers, got {boxes.shape[0]}")
    last, prev = box_cxcywh_to_xyxy(boxes[-1]), box_cxcywh_to_xyxy(boxes[-2])
    return box_iou_pairs(last.reshape(-1, 4), prev.reshape(-1, 4)).reshape(last.shape[:-1])


def rescore(logits: Tensor, agreement: Tensor, class_ids: Sequence[int], power: float,
            eps: float = 1e-6) -> Tensor:
    """logits [N, Q, K] before sigmoid, agreement [N, Q] -> logits [N, Q, K] whose sigmoid is
    p * agreement ** power for class_ids and p for the rest. power 0 returns logits unchanged."""
    if power == 0:
        return logits
    ids = set(class_ids)
    mask = torch.tensor([k in ids for k in range(logits.shape[-1])], device=logits.device)
    factor = agreement.clamp(min=0, max=1).unsqueeze(-1) ** power
    rescored = inverse_sigmoid(logits.sigmoid() * factor, eps)
    return torch.where(mask, rescored, logits)

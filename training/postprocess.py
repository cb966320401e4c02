"""Deformable-DETR post-processing: sigmoid, top-k over queries x classes, cxcywh -> xyxy pixels."""
from typing import Dict, List, Sequence

import torch
from torch import Tensor

from .box_ops import box_cxcywh_to_xyxy
from .config import LEUKOCYTE_IDS


def postprocess(logits: Tensor, boxes: Tensor, sizes: Sequence[Sequence[int]], top_k: int = 100,
                merge_wbc: bool = False) -> List[Dict[str, Tensor]]:
    """logits [N, Q, K] (before sigmoid); boxes [N, Q, 4] cxcywh in [0, 1]; sizes: (w, h) per image.
    -> per image {'scores' [k], 'labels' [k], 'boxes' [k, 4] xyxy pixels}.
    merge_wbc: score 'WBC' per query as the best leukocyte type; labels then index
    ['WBC', 'RBC', 'Platelets'] (evaluate.MERGED_ORDER, the BCCD-3 label space)."""
    prob = logits.sigmoid()
    if merge_wbc:
        others = [i for i in range(prob.shape[-1]) if i not in LEUKOCYTE_IDS]
        prob = torch.cat([prob[..., LEUKOCYTE_IDS].max(-1, keepdim=True)[0], prob[..., others]], -1)
    n, q, k = prob.shape
    top_k = min(top_k, q * k)
    scores, idx = prob.view(n, -1).topk(top_k, dim=1)
    qi, labels = idx // k, idx % k
    xyxy = box_cxcywh_to_xyxy(boxes)
    out = []
    for b in range(n):
        w, h = sizes[b]
        bb = xyxy[b, qi[b]] * torch.tensor([w, h, w, h], dtype=xyxy.dtype)
        out.append({"scores": scores[b], "labels": labels[b], "boxes": bb})
    return out

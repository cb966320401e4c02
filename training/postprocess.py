"""Deformable-DETR post-processing: sigmoid, top-k over queries x classes, cxcywh -> xyxy pixels,
then the class-grouped NMS of config.POSTPROCESS (src/detect/postprocess.ts does the same)."""
from typing import Dict, List, Optional, Sequence

import torch
from torch import Tensor

from .box_ops import box_cxcywh_to_xyxy, box_iou
from .config import CLASSES, LEUKOCYTE_IDS


def nms_sorted(boxes: Tensor, groups: Tensor, iou: float) -> Tensor:
    """Greedy NMS over score-sorted boxes. boxes [k, 4] xyxy; groups [k] (boxes of one group suppress
    each other) -> kept indices [m], in order. Pure; the TypeScript twin is src/detect/nms.ts."""
    ious = box_iou(boxes, boxes)[0] if len(boxes) else boxes.new_zeros((0, 0))
    kept: List[int] = []
    for i in range(len(boxes)):
        if not any(bool(groups[k] == groups[i]) and float(ious[i, k]) > iou for k in kept):
            kept.append(i)
    return torch.tensor(kept, dtype=torch.long)


def group_of_class(nms: Dict, classes: Sequence[str] = CLASSES) -> List[int]:
    """The card's postprocess block -> group id per class id (unnamed classes get their own)."""
    g = [len(classes) + i for i in range(len(classes))]
    for gi, names in enumerate(nms["nmsGroups"]):
        for n in names:
            if n in classes:
                g[classes.index(n)] = gi
    return g


def postprocess(logits: Tensor, boxes: Tensor, sizes: Sequence[Sequence[int]], top_k: int = 100,
                merge_wbc: bool = False, nms: Optional[Dict] = None) -> List[Dict[str, Tensor]]:
    """logits [N, Q, K] (before sigmoid); boxes [N, Q, 4] cxcywh in [0, 1]; sizes: (w, h) per image.
    -> per image {'scores' [k], 'labels' [k], 'boxes' [k, 4] xyxy pixels}.
    merge_wbc: score 'WBC' per query as the best leukocyte type; labels then index
    ['WBC', 'RBC', 'Platelets'] (evaluate.MERGED_ORDER, the BCCD-3 label space).
    nms: {'nmsIou', 'nmsGroups'} (config.POSTPROCESS, the card's `postprocess`), or None for none."""
    prob = logits.sigmoid()
    if merge_wbc:
        others = [i for i in range(prob.shape[-1]) if i not in LEUKOCYTE_IDS]
        prob = torch.cat([prob[..., LEUKOCYTE_IDS].max(-1, keepdim=True)[0], prob[..., others]], -1)
    n, q, k = prob.shape
    top_k = min(top_k, q * k)
    scores, idx = prob.view(n, -1).topk(top_k, dim=1)
    qi, labels = idx // k, idx % k
    xyxy = box_cxcywh_to_xyxy(boxes)
    if nms is not None:
        groups = torch.tensor(list(range(k)) if merge_wbc else group_of_class(nms))
    out = []
    for b in range(n):
        w, h = sizes[b]
        bb = xyxy[b, qi[b]] * torch.tensor([w, h, w, h], dtype=xyxy.dtype)
        det = {"scores": scores[b], "labels": labels[b], "boxes": bb}
        if nms is not None:
            keep = nms_sorted(bb, groups[labels[b]], nms["nmsIou"])
            det = {key: v[keep] for key, v in det.items()}
        out.append(det)
    return out

"""Set criterion: sigmoid focal loss (or, as an option, varifocal loss) for classes, L1 + GIoU for boxes, auxiliary losses per decoder layer.

Untyped leukocytes (label UNTYPED_WBC) teach localisation and "is a leukocyte" without a type:
for their matched query, RBC and Platelets are negatives, the highest-scoring leukocyte type is
the positive, and the other four types get no loss (neither pushed up nor down).
"""
from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from .box_ops import box_cxcywh_to_xyxy, box_iou_pairs, generalized_box_iou
from .config import LEUKOCYTE_IDS, UNTYPED_WBC
from .matcher import hungarian_match


def sigmoid_focal_loss(logits: Tensor, targets: Tensor, weights: Tensor, alpha: float = 0.25,
                       gamma: float = 2.0) -> Tensor:
    """Elementwise focal loss (Lin et al. 2017), times weights. All [..., K] -> [..., K]."""
    prob = logits.sigmoid()
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = prob * targets + (1 - prob) * (1 - targets)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return loss * weights


def varifocal_loss(logits: Tensor, targets: Tensor, weights: Tensor, alpha: float = 0.75,
                   gamma: float = 2.0) -> Tensor:
    """Varifocal loss (Zhang et al. 2021), times weights. All [..., K] -> [..., K].

    targets holds a quality in (0, 1] (the IoU of the query's box with its ground truth) where the
    query is positive and 0 elsewhere. Positives are weighted by their target, so that a well-fitting
    box is pushed to a higher score than a loose one; negatives keep the focal weight alpha * p^gamma.
    """
    prob = logits.sigmoid()
    positive = (targets > 0).to(logits.dtype)
    focal_weight = alpha * prob.detach().pow(gamma) * (1 - positive) + targets
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    return ce * focal_weight * weights


def class_targets(logits: Tensor, targets: List[Dict[str, Tensor]],
                  matches: List[Tuple[Tensor, Tensor]]) -> Tuple[Tensor, Tensor]:
    """-> (one-hot targets [N, Q, K], per-element weights [N, Q, K])."""
    onehot = torch.zeros_like(logits)
    weights = torch.ones_like(logits)
    wbc = torch.tensor(LEUKOCYTE_IDS, dtype=torch.int64)
    for b, (qi, ti) in enumerate(matches):
        labels = targets[b]["labels"][ti]
        typed = labels != UNTYPED_WBC
        onehot[b, qi[typed], labels[typed]] = 1.0
        q_untyped = qi[~typed]
        if q_untyped.numel():
            best = wbc[logits[b, q_untyped][:, wbc].argmax(dim=1)]
            weights[b, q_untyped[:, None], wbc[None, :]] = 0.0
            onehot[b, q_untyped, best] = 1.0
            weights[b, q_untyped, best] = 1.0
    return onehot, weights


def matched_iou_targets(onehot: Tensor, matches: List[Tuple[Tensor, Tensor]], src: Tensor,
                        tgt: Tensor) -> Tensor:
    """onehot [N, Q, K]; src, tgt [M, 4] cxcywh, the matched pairs in `matches` order.

    -> onehot with each matched query's 1 replaced by the IoU of its box with its ground truth
    (clamped to at least 0.01 so that a positive stays a positive)."""
    quality = torch.zeros_like(onehot)
    if src.numel() == 0:
        return quality
    iou = box_iou_pairs(box_cxcywh_to_xyxy(src), box_cxcywh_to_xyxy(tgt)).clamp(min=0.01)
    start = 0
    for b, (qi, _) in enumerate(matches):
        n = len(qi)
        quality[b, qi] = onehot[b, qi] * iou[start:start + n, None]
        start += n
    return quality


def box_weights(labels: Tensor, leukocyte: float) -> Tensor:
    """Weight of each matched box in the L1 and GIoU losses. labels [M], the matched targets' labels
    -> [M]: `leukocyte` for leukocytes (typed or not), 1 for the rest."""
    is_wbc = (labels == UNTYPED_WBC) | torch.isin(labels, torch.tensor(LEUKOCYTE_IDS))
    return 1.0 + (leukocyte - 1.0) * is_wbc.float()


def layer_losses(logits: Tensor, boxes: Tensor, targets: List[Dict[str, Tensor]], cfg: Dict,
                 num_boxes: float) -> Dict[str, Tensor]:
    """One decoder layer: logits [N, Q, K], boxes [N, Q, 4] -> {'focal', 'l1', 'giou'}."""
    matches = hungarian_match(logits, boxes, targets, cfg["match_cost_class"], cfg["match_cost_l1"],
                              cfg["match_cost_giou"], cfg["focal_alpha"], cfg["focal_gamma"])
    onehot, weights = class_targets(logits, targets, matches)
    src = torch.cat([boxes[b, qi] for b, (qi, _) in enumerate(matches)])
    tgt = torch.cat([targets[b]["boxes"][ti] for b, (_, ti) in enumerate(matches)])
    tgt_labels = torch.cat([targets[b]["labels"][ti] for b, (_, ti) in enumerate(matches)])
    giou_pairs = generalized_box_iou(box_cxcywh_to_xyxy(src), box_cxcywh_to_xyxy(tgt)).diagonal() \
        if src.numel() else src.new_zeros(0)
    if cfg.get("cls_target", "onehot") == "iou":
        quality = matched_iou_targets(onehot, matches, src.detach(), tgt)
        focal = varifocal_loss(logits, quality, weights, 0.75, cfg["focal_gamma"])
    else:
        focal = sigmoid_focal_loss(logits, onehot, weights, cfg["focal_alpha"], cfg["focal_gamma"])
    focal = focal.mean(1).sum() / num_boxes * logits.shape[1]
    if src.numel() == 0:
        zero = boxes.sum() * 0
        return {"focal": focal, "l1": zero, "giou": zero}
    w = box_weights(tgt_labels, cfg.get("box_weight_leukocyte", 1.0)).to(src.dtype)
    l1 = (F.l1_loss(src, tgt, reduction="none").sum(1) * w).sum() / num_boxes
    giou = ((1 - giou_pairs) * w).sum() / num_boxes
    return {"focal": focal, "l1": l1, "giou": giou}


def set_criterion(all_logits: Tensor, all_boxes: Tensor, targets: List[Dict[str, Tensor]],
                  cfg: Dict) -> Tuple[Tensor, Dict[str, float]]:
    """all_logits [D, N, Q, K], all_boxes [D, N, Q, 4] -> (weighted total, logged parts)."""
    num_boxes = max(float(sum(len(t["labels"]) for t in targets)), 1.0)
    layers = range(all_logits.shape[0]) if cfg["aux_loss"] else [all_logits.shape[0] - 1]
    total = all_logits.sum() * 0
    logged: Dict[str, float] = {}
    for d in layers:
        parts = layer_losses(all_logits[d], all_boxes[d], targets, cfg, num_boxes)
        total = total + cfg["loss_focal"] * parts["focal"] + cfg["loss_l1"] * parts["l1"] + cfg["loss_giou"] * parts["giou"]
        if d == all_logits.shape[0] - 1:
            logged = {k: float(v) for k, v in parts.items()}
    return total, logged

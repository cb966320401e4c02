"""COCO bounding-box AP with pycocotools' rules, in numpy (pycocotools is not installable here).

Rules followed: IoU thresholds .50:.05:.95, 101 recall points, maxDets 100 per image and category,
greedy matching of score-sorted detections to the best-IoU unmatched ground truth, area ranges
(all / small < 32^2 / medium / large >= 96^2) with ground truth outside the range ignored, and
precision made monotone before interpolation.
"""
from typing import Dict, List, Sequence

import numpy as np

IOU_THRS = np.linspace(0.5, 0.95, 10)
REC_THRS = np.linspace(0.0, 1.0, 101)
AREA_RNG = {"all": (0, 1e10), "small": (0, 32 ** 2), "medium": (32 ** 2, 96 ** 2), "large": (96 ** 2, 1e10)}


def iou_xywh(dt: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """[D, 4], [G, 4] (x, y, w, h) -> [D, G]."""
    if len(dt) == 0 or len(gt) == 0:
        return np.zeros((len(dt), len(gt)))
    dx2, dy2 = dt[:, 0] + dt[:, 2], dt[:, 1] + dt[:, 3]
    gx2, gy2 = gt[:, 0] + gt[:, 2], gt[:, 1] + gt[:, 3]
    iw = (np.minimum(dx2[:, None], gx2[None]) - np.maximum(dt[:, 0:1], gt[None, :, 0])).clip(0)
    ih = (np.minimum(dy2[:, None], gy2[None]) - np.maximum(dt[:, 1:2], gt[None, :, 1])).clip(0)
    inter = iw * ih
    union = (dt[:, 2] * dt[:, 3])[:, None] + (gt[:, 2] * gt[:, 3])[None] - inter
    return inter / np.maximum(union, 1e-12)


def _eval_image(dt_boxes, dt_scores, gt_boxes, area_rng, max_dets):
    """-> (scores [D], matched [T, D] bool, dt_ignore [T, D] bool, n_gt_not_ignored)."""
    gt_area = gt_boxes[:, 2] * gt_boxes[:, 3] if len(gt_boxes) else np.zeros(0)
    g_ignore = (gt_area < area_rng[0]) | (gt_area > area_rng[1])
    g_order = np.argsort(g_ignore, kind="mergesort")
    gt_boxes, g_ignore = gt_boxes[g_order], g_ignore[g_order]
    d_order = np.argsort(-dt_scores, kind="mergesort")[:max_dets]
    dt_boxes, dt_scores = dt_boxes[d_order], dt_scores[d_order]
    ious = iou_xywh(dt_boxes, gt_boxes)
    T, D, G = len(IOU_THRS), len(dt_boxes), len(gt_boxes)
    gtm = np.full((T, G), -1)
    dtm = np.full((T, D), -1)
    dt_ig = np.zeros((T, D), dtype=bool)
    for ti, t in enumerate(IOU_THRS):
        for di in range(D):
            best = min(t, 1 - 1e-10)
            m = -1
            for gi in range(G):
                if gtm[ti, gi] >= 0:
                    continue
                if m > -1 and not g_ignore[m] and g_ignore[gi]:
                    break
                if ious[di, gi] < best:
                    continue
                best, m = ious[di, gi], gi
            if m == -1:
                continue
            dt_ig[ti, di] = g_ignore[m]
            dtm[ti, di] = m
            gtm[ti, m] = di
    d_area = dt_boxes[:, 2] * dt_boxes[:, 3] if D else np.zeros(0)
    out_rng = (d_area < area_rng[0]) | (d_area > area_rng[1])
    dt_ig = dt_ig | ((dtm == -1) & out_rng[None, :])
    return dt_scores, dtm >= 0, dt_ig, int((~g_ignore).sum())


def average_precision(scores: List[np.ndarray], matched: List[np.ndarray], ignored: List[np.ndarray], n_gt: int):
    """-> precision [T, R] (-1 where no ground truth)."""
    if n_gt == 0:
        return np.full((len(IOU_THRS), len(REC_THRS)), -1.0)
    s = np.concatenate(scores) if scores else np.zeros(0)
    order = np.argsort(-s, kind="mergesort")
    tm = np.concatenate(matched, axis=1)[:, order] if matched else np.zeros((len(IOU_THRS), 0), bool)
    ig = np.concatenate(ignored, axis=1)[:, order] if ignored else np.zeros((len(IOU_THRS), 0), bool)
    tps = np.logical_and(tm, ~ig).cumsum(axis=1).astype(float)
    fps = np.logical_and(~tm, ~ig).cumsum(axis=1).astype(float)
    prec = np.zeros((len(IOU_THRS), len(REC_THRS)))
    for t in range(len(IOU_THRS)):
        tp, fp = tps[t], fps[t]
        rc = tp / n_gt
        pr = tp / np.maximum(tp + fp, np.spacing(1))
        pr = pr.tolist()
        for i in range(len(pr) - 1, 0, -1):
            if pr[i] > pr[i - 1]:
                pr[i - 1] = pr[i]
        inds = np.searchsorted(rc, REC_THRS, side="left")
        q = np.zeros(len(REC_THRS))
        for ri, pi in enumerate(inds):
            if pi < len(pr):
                q[ri] = pr[pi]
        prec[t] = q
    return prec


def coco_eval(gts: Dict[str, Dict[str, np.ndarray]], dts: Dict[str, Dict[str, np.ndarray]],
              categories: Sequence[str], max_dets: int = 100) -> Dict[str, float]:
    """gts: image -> {'boxes' [G, 4] xywh, 'labels' [G] category names}; dts: image -> {'boxes',
    'labels', 'scores'}. -> {'AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AP/<cat>'} in percent."""
    empty = {"boxes": np.zeros((0, 4)), "labels": np.zeros(0, dtype=object), "scores": np.zeros(0)}
    per_area = {}
    for area_name, rng in AREA_RNG.items():
        precs = {}
        for cat in categories:
            sc, tm, ig, n_gt = [], [], [], 0
            # images in sorted id order, as pycocotools (sorted imgIds) and src/eval/coco-eval.ts do: the
            # order breaks ties between equal scores of different images, so it must not follow the split file
            for img in sorted(gts):
                g, d = gts[img], dts.get(img, empty)
                gmask = np.asarray(g["labels"]) == cat
                dmask = np.asarray(d["labels"]) == cat
                s, m, i, n = _eval_image(np.asarray(d["boxes"], float).reshape(-1, 4)[dmask],
                                         np.asarray(d["scores"], float)[dmask],
                                         np.asarray(g["boxes"], float).reshape(-1, 4)[gmask], rng, max_dets)
                sc.append(s), tm.append(m), ig.append(i)
                n_gt += n
            precs[cat] = average_precision(sc, tm, ig, n_gt)
        per_area[area_name] = precs

    def mean_ap(precs, t_index=None):
        vals = []
        for p in precs.values():
            p = p if t_index is None else p[t_index:t_index + 1]
            v = p[p > -1]
            if v.size:
                vals.append(v)
        return float(np.mean(np.concatenate(vals))) * 100 if vals else -1.0

    allp = per_area["all"]
    res = {"AP": mean_ap(allp), "AP50": mean_ap(allp, 0), "AP75": mean_ap(allp, 5),
           "APs": mean_ap(per_area["small"]), "APm": mean_ap(per_area["medium"]), "APl": mean_ap(per_area["large"])}
    for cat, p in allp.items():
        v = p[p > -1]
        res[f"AP/{cat}"] = float(v.mean()) * 100 if v.size else -1.0
        v50 = p[0][p[0] > -1]
        res[f"AP50/{cat}"] = float(v50.mean()) * 100 if v50.size else -1.0
    return res

"""The detector over a list of records, scored on BCCD-3: the core that training (its periodic
evaluation) and the evaluation scripts share. No typer or export imports: train.py uses it."""
from typing import Dict, List, Optional

import numpy as np
import torch

from .coco_eval import coco_eval
from .config import CLASSES, LEUKOCYTE_IDS, POSTPROCESS, UNTYPED_WBC
from .data import sources
from .data.annotations import Record
from .data.dataset import load_rgb
from .data.transforms import resize, to_tensor
from .postprocess import postprocess

BCCD3 = ["RBC", "WBC", "Platelets"]
MERGED_ORDER = ["WBC", "RBC", "Platelets"]  # label order of postprocess(..., merge_wbc=True)


def xyxy_to_xywh(b: np.ndarray) -> np.ndarray:
    b = np.asarray(b, dtype=float).reshape(-1, 4)
    return np.stack([b[:, 0], b[:, 1], b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], 1)


class TorchRunner:
    def __init__(self, model, cfg):
        self.model, self.cfg = model, cfg

    @torch.no_grad()
    def __call__(self, batch: torch.Tensor):
        self.model.eval()
        return self.model(batch)


def retype(typer, img: np.ndarray, det: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """The leukocyte typer's verdict on a frame's leukocyte detections (src/detect/retype.ts):
    each takes the typer's argmax type; boxes and scores stay. typer: (model, crop size)."""
    from .typer.crops import crop_rgb
    from .typer.evaluate import to_input
    model, size = typer
    idx = [i for i, l in enumerate(det["labels"].tolist()) if l in LEUKOCYTE_IDS]
    if not idx:
        return det
    with torch.no_grad():
        types = model(to_input([crop_rgb(img, det["boxes"][i].tolist(), size) for i in idx])).argmax(1)
    labels = det["labels"].clone()
    labels[idx] = torch.tensor([LEUKOCYTE_IDS[t] for t in types.tolist()])
    return dict(det, labels=labels)


def predict(runner, records: List[Record], cfg: dict, merge_wbc: bool, batch_size: int = 4,
            nms: Optional[Dict] = POSTPROCESS, typer=None) -> Dict[str, Dict]:
    """Run the model over records (stretch-resize to the input size) -> image id -> detections (xywh pixels).
    nms: the post-processing NMS (config.POSTPROCESS or a card's `postprocess`; None: none).
    typer: (typer model, crop size) to re-type leukocytes as the live pipeline does, or None."""
    names = MERGED_ORDER if merge_wbc else CLASSES
    out = {}
    for i in range(0, len(records), batch_size):
        chunk = records[i:i + batch_size]
        originals = [load_rgb(r.image_path) for r in chunk]
        imgs = [resize(im, np.zeros((0, 4), np.float32), cfg["input_w"], cfg["input_h"])[0] for im in originals]
        logits, boxes = runner(torch.stack([to_tensor(im) for im in imgs]))
        dets = postprocess(logits, boxes, [(r.width, r.height) for r in chunk], merge_wbc=merge_wbc, nms=nms)
        if typer is not None and not merge_wbc:
            dets = [retype(typer, im, d) for im, d in zip(originals, dets)]
        for r, d in zip(chunk, dets):
            out[r.image_id] = {"boxes": xyxy_to_xywh(d["boxes"].numpy()), "scores": d["scores"].numpy(),
                               "labels": np.array([names[int(l)] for l in d["labels"]], dtype=object)}
    return out


def gt_bccd3(records: List[Record]) -> Dict[str, Dict]:
    gts = {}
    for r in records:
        labels = ["WBC" if (l in LEUKOCYTE_IDS or l == UNTYPED_WBC) else CLASSES[l] for l in r.labels]
        gts[r.image_id] = {"boxes": xyxy_to_xywh(r.boxes), "labels": np.array(labels, dtype=object)}
    return gts


def evaluate_bccd(model, cfg: dict, data_root: str = None, runner=None,
                  nms: Optional[Dict] = POSTPROCESS) -> Dict[str, float]:
    """BCCD test (72 images), five types merged into WBC -> rounded COCO metrics."""
    records = sources.bccd("test", data_root)
    preds = predict(runner or TorchRunner(model, cfg), records, cfg, merge_wbc=True, nms=nms)
    res = coco_eval(gt_bccd3(records), preds, BCCD3)
    return {k: round(v, 2) for k, v in res.items()}

"""In-memory detection dataset (images decoded once; 2 CPU cores leave nothing to spare)."""
from typing import List, Optional

import numpy as np
import torch
from PIL import Image

from ..config import BASE
from . import scale
from .annotations import DatasetError, Record
from .robust import RobustAug, robust_transform
from .transforms import eval_transform, hflip, to_target, to_tensor, train_transform, vflip


def load_rgb(path: str) -> np.ndarray:
    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"))
    except (OSError, ValueError) as e:
        raise DatasetError(f"{path}: cannot read image ({e})") from e


def reference_rbc_px(records: List[Record], out_w: int, out_h: int, source: str = "bccd") -> float:
    """The training scale: median RBC diameter, in model-input px of the card's resize rule, of `source`
    (BCCD) where the records have it, else of all records."""
    has = any(r.source == source for r in records)
    return scale.median_rbc_diameter(records, source if has else None, out_w, out_h)


class DetectionDataset(torch.utils.data.Dataset):
    def __init__(self, records: List[Record], out_w: int, out_h: int, train: bool, scale_min: float = BASE["scale_min"],
                 seed: int = 0, aspect_jitter: float = BASE["aspect_jitter"], aug: Optional[RobustAug] = None):
        self.records = records
        self.images = [load_rgb(r.image_path) for r in records]
        self.out_w, self.out_h, self.train, self.scale_min = out_w, out_h, train, scale_min
        self.aspect_jitter = aspect_jitter
        self.rng = np.random.default_rng(seed)
        self.aug = aug or RobustAug()
        self.robust = train and (self.aug.scale_norm or self.aug.any_photometric)
        if train and self.aug.scale_norm:
            self.ref_rbc_px = reference_rbc_px(records, out_w, out_h)
            self.source_rbc_px = scale.source_diameters(records)  # native px
            self.by_source = {s: [i for i, r in enumerate(records) if r.source == s] for s in self.source_rbc_px}

    def __len__(self):
        return len(self.records)

    def field(self, i: int):
        r = self.records[i]
        return self.images[i], np.asarray(r.boxes, dtype=np.float32).reshape(-1, 4), np.asarray(r.labels, dtype=np.int64)

    def random_field(self, source: str):
        """Another field of `source`, randomly flipped (mosaic tile)."""
        img, boxes, labels = self.field(int(self.rng.choice(self.by_source[source])))
        if self.rng.random() < 0.5:
            img, boxes = hflip(img, boxes)
        if self.rng.random() < 0.5:
            img, boxes = vflip(img, boxes)
        return img, boxes, labels

    def __getitem__(self, i: int):
        img, boxes, labels = self.field(i)
        if self.robust:
            src = self.records[i].source
            f = self.ref_rbc_px / self.source_rbc_px[src] if self.aug.scale_norm else 1.0
            img, boxes, labels = robust_transform(img, boxes, labels, self.rng, self.aug, f, self.out_w, self.out_h,
                                                  self.aspect_jitter, self.scale_min, lambda: self.random_field(src))
        elif self.train:
            img, boxes, labels = train_transform(img, boxes, labels, self.rng, self.out_w, self.out_h, self.scale_min,
                                                 self.aspect_jitter)
        else:
            img, boxes, labels = eval_transform(img, boxes, labels, self.out_w, self.out_h)
        return to_tensor(img), to_target(boxes, labels, self.out_w, self.out_h)


def collate(batch):
    return torch.stack([b[0] for b in batch]), [b[1] for b in batch]

"""In-memory detection dataset (images decoded once; 2 CPU cores leave nothing to spare)."""
from typing import List, Optional

import numpy as np
import torch
from PIL import Image

from ..config import BASE
from .annotations import DatasetError, Record
from .transforms import eval_transform, to_target, to_tensor, train_transform


def load_rgb(path: str) -> np.ndarray:
    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"))
    except (OSError, ValueError) as e:
        raise DatasetError(f"{path}: cannot read image ({e})") from e


class DetectionDataset(torch.utils.data.Dataset):
    def __init__(self, records: List[Record], out_w: int, out_h: int, train: bool, scale_min: float = BASE["scale_min"],
                 seed: int = 0, aspect_jitter: float = BASE["aspect_jitter"]):
        self.records = records
        self.images = [load_rgb(r.image_path) for r in records]
        self.out_w, self.out_h, self.train, self.scale_min = out_w, out_h, train, scale_min
        self.aspect_jitter = aspect_jitter
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return len(self.records)

    def __getitem__(self, i: int):
        r = self.records[i]
        boxes = np.asarray(r.boxes, dtype=np.float32).reshape(-1, 4)
        labels = np.asarray(r.labels, dtype=np.int64)
        img = self.images[i]
        if self.train:
            img, boxes, labels = train_transform(img, boxes, labels, self.rng, self.out_w, self.out_h, self.scale_min,
                                                   self.aspect_jitter)
        else:
            img, boxes, labels = eval_transform(img, boxes, labels, self.out_w, self.out_h)
        return to_tensor(img), to_target(boxes, labels, self.out_w, self.out_h)


def collate(batch):
    return torch.stack([b[0] for b in batch]), [b[1] for b in batch]

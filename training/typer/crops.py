"""The crop rule shared with src/detect/typer-crop.ts, and the typed crops of the datasets.

Crop rule (pure, integer pixels): a square centred on the box, side = round(max(w, h) * (1 + pad)),
clamped to the frame (side <= min(W, H); the square is shifted inside, not padded), then resized to
S x S with PIL's bilinear filter (src/detect/resize-pil.ts is its TypeScript twin).
"""
import glob
import os
from typing import List, Sequence, Tuple

import numpy as np
from PIL import Image

from ..config import LEUKOCYTE_IDS
from ..data import sources
from ..data.dataset import load_rgb

CROP_PAD = 0.15
PBC_FOLDERS = {"neutrophil": 0, "lymphocyte": 1, "monocyte": 2, "eosinophil": 3, "basophil": 4}


def round_half_up(v: float) -> int:
    return int(np.floor(v + 0.5))


def crop_square(box: Sequence[float], width: int, height: int, pad: float = CROP_PAD) -> Tuple[int, int, int]:
    """box (x1, y1, x2, y2) pixels in a width x height frame -> (x0, y0, side) of the crop square."""
    x1, y1, x2, y2 = box
    side = round_half_up(max(x2 - x1, y2 - y1) * (1 + pad))
    side = max(2, min(side, width, height))
    x0 = round_half_up(min(max((x1 + x2) / 2 - side / 2, 0), width - side))
    y0 = round_half_up(min(max((y1 + y2) / 2 - side / 2, 0), height - side))
    return x0, y0, side


def crop_rgb(img: np.ndarray, box: Sequence[float], size: int, pad: float = CROP_PAD) -> np.ndarray:
    """img [H, W, 3] uint8, box xyxy pixels -> [size, size, 3] uint8."""
    h, w = img.shape[:2]
    x0, y0, side = crop_square(box, w, h, pad)
    return np.asarray(Image.fromarray(img[y0:y0 + side, x0:x0 + side]).resize((size, size), Image.BILINEAR))


Sample = Tuple[np.ndarray, np.ndarray, int, str]  # image, box xyxy, type id, source


def typed_boxes(split: str, data_root: str = None, pbc_per_type: int = 600) -> List[Sample]:
    """Typed leukocyte boxes: BCCD (wbc_types.csv, status ok), the PBC fields of TXL and, for
    split 'train', up to pbc_per_type single-cell images per type of pbc_crops/ (box = central 60%,
    where the PBC cell sits). split: 'train' (BCCD trainval, TXL train) or 'test'."""
    out: List[Sample] = []
    recs = sources.bccd("trainval" if split == "train" else "test", data_root) + \
        sources.txl(split, data_root, sources=("PBC",))
    for r in recs:
        keep = [i for i, l in enumerate(r.labels) if l in LEUKOCYTE_IDS]
        if not keep:
            continue
        img = load_rgb(r.image_path)
        src = "BCCD" if "bccd" in r.source.lower() else "PBC"
        out += [(img, np.asarray(r.boxes[i], np.float32), int(r.labels[i]), src) for i in keep]
    if split == "train" and pbc_per_type > 0:
        root = os.path.join(sources.data_root(data_root), "pbc_crops")
        for folder, t in PBC_FOLDERS.items():
            paths = sorted(glob.glob(os.path.join(root, folder, "*")))[:pbc_per_type]
            if not paths:
                raise SystemExit(f"{os.path.join(root, folder)}: no images (see ../shared/data/README.md)")
            for p in paths:
                img = np.asarray(Image.open(p).convert("RGB"))
                h, w = img.shape[:2]
                out.append((img, np.array([0.2 * w, 0.2 * h, 0.8 * w, 0.8 * h], np.float32), t, "PBC-crops"))
    return out

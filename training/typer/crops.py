"""The crop rule shared with src/detect/typer-crop.ts, and the typed crops of the datasets.

Crop rule (pure, integer pixels): a square centred on the box, side = round(max(w, h) * (1 + pad)),
clamped to the frame (side <= min(W, H); the square is shifted inside, not padded), then resized to
S x S with PIL's bilinear filter (src/detect/resize-pil.ts is its TypeScript twin).
"""
import glob
import os
from typing import List, Sequence, Tuple, Union

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


Sample = Tuple[Union[np.ndarray, str], np.ndarray, int, str]  # image (or its path), box xyxy, type id, source


def image_of(sample: Sample) -> np.ndarray:
    """The sample's image [H, W, 3] uint8 (read from disk when the sample holds a path)."""
    img = sample[0]
    return np.asarray(Image.open(img).convert("RGB")) if isinstance(img, str) else img


def pbc_crop_samples(data_root: str = None, start: int = 0, stop: int = None) -> List[Sample]:
    """pbc_crops/ single-cell images [start:stop] of each type folder (sorted names), as lazy samples
    (path, not pixels); box = central 60% of the image, where the PBC cell sits."""
    root = os.path.join(sources.data_root(data_root), "pbc_crops")
    out: List[Sample] = []
    for folder, t in PBC_FOLDERS.items():
        paths = sorted(glob.glob(os.path.join(root, folder, "*")))
        if not paths:
            raise SystemExit(f"{os.path.join(root, folder)}: no images (see ../shared/data/README.md)")
        for p in paths[start:stop]:
            with Image.open(p) as im:
                w, h = im.size
            out.append((p, np.array([0.2 * w, 0.2 * h, 0.8 * w, 0.8 * h], np.float32), t, "PBC-crops"))
    return out


def field_samples(records) -> List[Sample]:
    """Typed leukocyte boxes of detection records (BCCD or TXL fields), images loaded."""
    out: List[Sample] = []
    for r in records:
        keep = [i for i, l in enumerate(r.labels) if l in LEUKOCYTE_IDS]
        if not keep:
            continue
        img = load_rgb(r.image_path)
        src = "BCCD" if "bccd" in r.source.lower() else "PBC"
        out += [(img, np.asarray(r.boxes[i], np.float32), int(r.labels[i]), src) for i in keep]
    return out


def robust_splits(data_root: str = None, pbc_val_per_type: int = 60) -> Tuple[List[Sample], List[Sample]]:
    """(train, validation) for the robust typer. Validation, held out from training: every second
    image of BCCD's val.txt, TXL's PBC val fields, and the last pbc_val_per_type pbc_crops/ images of
    each type (the shipped typer trained on the first 600). Train: the rest of BCCD trainval, TXL's
    PBC train fields, the other pbc_crops/ images. Test sets (BCCD test, TXL test) are never read."""
    val_ids = set(sources.read_split(os.path.join(sources.data_root(data_root), "bccd", "ImageSets", "Main",
                                                  "val.txt"))[1::2])
    bccd = sources.bccd("trainval", data_root)
    held = [r for r in bccd if r.image_id in val_ids]
    if not held:
        raise SystemExit("BCCD val hold-out is empty: image ids do not match val.txt")
    train = field_samples([r for r in bccd if r.image_id not in val_ids] + sources.txl("train", data_root, ("PBC",)))
    val = field_samples(held + sources.txl("val", data_root, ("PBC",)))
    train += pbc_crop_samples(data_root, 0, -pbc_val_per_type)
    val += pbc_crop_samples(data_root, -pbc_val_per_type, None)
    return train, val


def typed_boxes(split: str, data_root: str = None, pbc_per_type: int = 600) -> List[Sample]:
    """Typed leukocyte boxes: BCCD (wbc_types.csv, status ok), the PBC fields of TXL and, for
    split 'train', the first pbc_per_type single-cell images per type of pbc_crops/ (box = central
    60%, where the PBC cell sits), loaded. split: 'train' (BCCD trainval, TXL train) or 'test'."""
    out = field_samples(sources.bccd("trainval" if split == "train" else "test", data_root) +
                        sources.txl(split, data_root, sources=("PBC",)))
    if split == "train" and pbc_per_type > 0:
        out += [(image_of(s), *s[1:]) for s in pbc_crop_samples(data_root, 0, pbc_per_type)]
    return out

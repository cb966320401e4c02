"""Scale augmentation: bring every source to one training scale, then zoom about it.

The training scale is the median red-cell diameter, sqrt(w * h) of the RBC boxes (the annotation
convention), in model-input pixels. Each source (BCCD, TXL's PBC fields, its Raabin fields) is
resampled so that its own median lands there, times a random zoom. A view that would need more
slide than one field holds is cut from a mosaic of several fields of the same source, so that a
zoomed-out frame is full of slide, not padding.

Images are HWC uint8; boxes xyxy pixels [T, 4] float32; labels [T] int64.
"""
import math
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np

from ..config import CLASSES
from .transforms import crop, resize

RBC = CLASSES.index("RBC")
Field = Tuple[np.ndarray, np.ndarray, np.ndarray]  # (img HWC uint8, boxes [T, 4] xyxy px, labels [T])


def rbc_diameters(boxes: np.ndarray, labels: np.ndarray, sx: float = 1.0, sy: float = 1.0) -> np.ndarray:
    """sqrt(w * h) of the RBC boxes [T, 4] after scaling x by sx and y by sy -> [R]."""
    b = np.asarray(boxes, np.float32).reshape(-1, 4)[np.asarray(labels) == RBC]
    return np.sqrt((b[:, 2] - b[:, 0]) * sx * (b[:, 3] - b[:, 1]) * sy)


def median_rbc_diameter(records: Sequence, source: str = None, out_w: int = None, out_h: int = None) -> float:
    """Median RBC diameter over `records` (of one `source` if given): in native pixels, or with out_w/out_h
    in model-input pixels of the card's resize rule (each whole frame stretched to out_w x out_h)."""
    ds = []
    for r in records:
        if source is not None and r.source != source:
            continue
        sx = out_w / r.width if out_w else 1.0
        sy = out_h / r.height if out_h else 1.0
        ds.append(rbc_diameters(np.asarray(r.boxes, np.float32), np.asarray(r.labels), sx, sy))
    d = np.concatenate(ds) if ds else np.zeros(0)
    if len(d) == 0:
        raise ValueError(f"no RBC boxes to measure the scale of source '{source}'")
    return float(np.median(d))


def source_diameters(records: Sequence) -> Dict[str, float]:
    """{source: median native-pixel RBC diameter} for every source in `records`."""
    return {s: median_rbc_diameter(records, s) for s in sorted({r.source for r in records})}


def sample_zoom(rng: np.random.Generator, jitter: float, wide_p: float, wide: Sequence[float] = (0.5, 2.0)) -> float:
    """Zoom about the training scale: log-uniform in [1 - jitter, 1 / (1 - jitter)] (symmetric in log, at least
    +-jitter both ways), or with probability wide_p log-uniform in [wide[0], wide[1]] (the views for when
    calibration fails)."""
    lo, hi = (wide[0], wide[1]) if rng.random() < wide_p else (1.0 - jitter, 1.0 / (1.0 - jitter))
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def view_size(out_w: int, out_h: int, aspect: float, f: float) -> Tuple[int, int]:
    """Native-pixel size (cw, ch) of a view of aspect cw/ch = aspect that, stretched to out_w x out_h,
    scales diameters sqrt(w * h) by f."""
    cw = math.sqrt(out_w * out_h * aspect) / f
    return max(int(round(cw)), 4), max(int(round(cw / aspect)), 4)


def match_tile(img: np.ndarray, boxes: np.ndarray, w: int, h: int) -> Tuple[np.ndarray, np.ndarray]:
    """Fit a field to w x h: rotated by 90 degrees first when its orientation differs, then resized."""
    th, tw = img.shape[:2]
    if (tw > th) != (w > h) and tw != th:
        x1, y1, x2, y2 = np.asarray(boxes, np.float32).reshape(-1, 4).T
        img, boxes = np.ascontiguousarray(np.rot90(img)), np.stack([y1, tw - x2, y2, tw - x1], 1)
    return resize(img, boxes, w, h)


def mosaic(fields: List[Field], nx: int, ny: int) -> Field:
    """Tile nx * ny fields (row-major; each fitted to the first one's size) into one image."""
    h, w = fields[0][0].shape[:2]
    canvas = np.zeros((h * ny, w * nx, 3), np.uint8)
    all_boxes, all_labels = [], []
    for k, (img, boxes, labels) in enumerate(fields[:nx * ny]):
        img, boxes = match_tile(img, boxes, w, h)
        ox, oy = (k % nx) * w, (k // nx) * h
        canvas[oy:oy + h, ox:ox + w] = img
        all_boxes.append(np.asarray(boxes, np.float32).reshape(-1, 4) + np.array([ox, oy, ox, oy], np.float32))
        all_labels.append(np.asarray(labels, np.int64))
    return canvas, np.concatenate(all_boxes), np.concatenate(all_labels)


def scaled_view(img: np.ndarray, boxes: np.ndarray, labels: np.ndarray, rng: np.random.Generator, f: float,
                out_w: int, out_h: int, aspect: float, draw_field: Callable[[], Field]) -> Field:
    """A random view of aspect `aspect` whose diameters come out scaled by f, resized to out_w x out_h.

    Where the view needs more slide than the field holds, the field is the top-left tile of a mosaic
    filled with `draw_field()` fields (same source). Boxes cut by the view edge follow `crop`.
    """
    h, w = img.shape[:2]
    cw, ch = view_size(out_w, out_h, aspect, f)
    if cw > w or ch > h:
        nx, ny = math.ceil(cw / w), math.ceil(ch / h)
        fields = [(img, boxes, labels)] + [draw_field() for _ in range(nx * ny - 1)]
        img, boxes, labels = mosaic(fields, nx, ny)
        h, w = img.shape[:2]
    cw, ch = min(cw, w), min(ch, h)
    x0, y0 = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    img, boxes, labels = crop(img, boxes, labels, x0, y0, cw, ch)
    img, boxes = resize(img, boxes, out_w, out_h)
    return img, boxes, labels

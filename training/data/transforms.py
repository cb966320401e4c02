"""Augmentation for smears (numpy, HWC uint8) and conversion to the network input.

Boxes are xyxy pixels, [T, 4] float32, throughout; `to_target` turns them into cxcywh in [0, 1].
"""
import numpy as np
import torch
from PIL import Image

from ..config import MEAN, STD


def rot90(img: np.ndarray, boxes: np.ndarray, k: int):
    """Rotate by k * 90 degrees counter-clockwise (np.rot90's direction)."""
    for _ in range(k % 4):
        h, w = img.shape[:2]
        img = np.rot90(img)
        x1, y1, x2, y2 = boxes.T
        boxes = np.stack([y1, w - x2, y2, w - x1], 1)
    return np.ascontiguousarray(img), boxes


def hflip(img, boxes):
    w = img.shape[1]
    return np.ascontiguousarray(img[:, ::-1]), np.stack([w - boxes[:, 2], boxes[:, 1], w - boxes[:, 0], boxes[:, 3]], 1)


def vflip(img, boxes):
    h = img.shape[0]
    return np.ascontiguousarray(img[::-1]), np.stack([boxes[:, 0], h - boxes[:, 3], boxes[:, 2], h - boxes[:, 1]], 1)


def crop(img, boxes, labels, x0: int, y0: int, cw: int, ch: int, min_visible: float = 0.35):
    """Crop and keep boxes whose visible part is >= min_visible of their area."""
    img = img[y0:y0 + ch, x0:x0 + cw]
    if len(boxes) == 0:
        return img, boxes, labels
    clipped = boxes - np.array([x0, y0, x0, y0], dtype=np.float32)
    clipped[:, [0, 2]] = clipped[:, [0, 2]].clip(0, cw)
    clipped[:, [1, 3]] = clipped[:, [1, 3]].clip(0, ch)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    vis = (clipped[:, 2] - clipped[:, 0]).clip(0) * (clipped[:, 3] - clipped[:, 1]).clip(0)
    keep = (vis >= min_visible * np.maximum(area, 1e-6)) & (clipped[:, 2] - clipped[:, 0] > 2) & (clipped[:, 3] - clipped[:, 1] > 2)
    return img, clipped[keep], labels[keep]


def resize(img, boxes, out_w: int, out_h: int):
    h, w = img.shape[:2]
    if (w, h) != (out_w, out_h):
        img = np.asarray(Image.fromarray(img).resize((out_w, out_h), Image.BILINEAR))
    scale = np.array([out_w / w, out_h / h, out_w / w, out_h / h], dtype=np.float32)
    return img, boxes * scale


def colour_jitter(img: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Stain/camera jitter: per-channel gain (colour cast), gamma, brightness, contrast, saturation."""
    x = img.astype(np.float32) / 255.0
    x = x * rng.uniform(1 - 0.12 * strength, 1 + 0.12 * strength, size=3).astype(np.float32)
    x = np.clip(x, 0, 1) ** rng.uniform(1 - 0.25 * strength, 1 + 0.25 * strength)
    grey = x.mean(axis=2, keepdims=True)
    x = grey + (x - grey) * rng.uniform(1 - 0.35 * strength, 1 + 0.35 * strength)
    m = x.mean()
    x = m + (x - m) * rng.uniform(1 - 0.2 * strength, 1 + 0.2 * strength)
    x = x + rng.uniform(-0.08, 0.08) * strength
    return (np.clip(x, 0, 1) * 255).astype(np.uint8)


def random_aspect_crop(img, boxes, labels, rng, aspect: float, scale_min: float):
    """A random crop of aspect w/h = aspect whose side is in [scale_min, 1] of the largest such crop."""
    h, w = img.shape[:2]
    max_w = min(w, h * aspect)
    s = rng.uniform(scale_min, 1.0)
    cw = int(round(max_w * s))
    ch = int(round(cw / aspect))
    cw, ch = max(min(cw, w), 8), max(min(ch, h), 8)
    x0 = int(rng.integers(0, w - cw + 1))
    y0 = int(rng.integers(0, h - ch + 1))
    return crop(img, boxes, labels, x0, y0, cw, ch)


def to_tensor(img: np.ndarray) -> torch.Tensor:
    """HWC uint8 RGB -> [3, H, W] float32 normalised with MEAN/STD."""
    x = torch.from_numpy(np.ascontiguousarray(img).copy()).permute(2, 0, 1).float().div_(255.0)
    return (x - torch.tensor(MEAN)[:, None, None]) / torch.tensor(STD)[:, None, None]


def to_target(boxes: np.ndarray, labels: np.ndarray, w: int, h: int) -> dict:
    """xyxy pixels -> {'boxes': [T, 4] cxcywh in [0, 1], 'labels': [T] int64}."""
    b = torch.as_tensor(boxes, dtype=torch.float32).reshape(-1, 4)
    cxcywh = torch.stack([(b[:, 0] + b[:, 2]) / 2 / w, (b[:, 1] + b[:, 3]) / 2 / h,
                          (b[:, 2] - b[:, 0]) / w, (b[:, 3] - b[:, 1]) / h], 1)
    return {"boxes": cxcywh.clamp(0, 1), "labels": torch.as_tensor(labels, dtype=torch.int64).reshape(-1)}


def train_transform(img, boxes, labels, rng, out_w: int, out_h: int, scale_min: float, aspect_jitter: float):
    img, boxes, labels = train_geometry(img, boxes, labels, rng, out_w, out_h, scale_min, aspect_jitter)
    if rng.random() < 0.8:
        img = colour_jitter(img, rng)
    return img, boxes, labels


def train_geometry(img, boxes, labels, rng, out_w: int, out_h: int, scale_min: float, aspect_jitter: float):
    """90-degree rotations, flips, a random aspect-jittered crop of [scale_min, 1] of the frame side, resize."""
    k = int(rng.integers(0, 4))
    img, boxes = rot90(img, boxes, k)
    if rng.random() < 0.5:
        img, boxes = hflip(img, boxes)
    if rng.random() < 0.5:
        img, boxes = vflip(img, boxes)
    # aspect jitter: inference stretches non-4:3 frames (e.g. square ones) to the input size
    aspect = out_w / out_h * float(np.exp(rng.uniform(-aspect_jitter, aspect_jitter)))
    img, boxes, labels = random_aspect_crop(img, boxes, labels, rng, aspect, scale_min)
    img, boxes = resize(img, boxes, out_w, out_h)
    return img, boxes, labels


def eval_transform(img, boxes, labels, out_w: int, out_h: int):
    """The model card's resize rule: stretch the whole frame to the input size."""
    img, boxes = resize(img, boxes, out_w, out_h)
    return img, boxes, labels

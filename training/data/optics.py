"""Optics and sensor degradations of a microscope camera (images HWC uint8 RGB in, uint8 out).

Defocus (a disc point-spread function) and motion blur, JPEG re-encoding, Gaussian + Poisson sensor
noise, vignetting, and the eyepiece circle of a phone held to the eyepiece (black outside; boxes
mostly outside it dropped, boxes cut by it shrunk to their visible part, as `transforms.crop` does
at the view edge). Boxes are xyxy pixels [T, 4] float32.
"""
import io

import numpy as np
from PIL import Image
from scipy import ndimage


def _convolve(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Per-channel convolution of HWC uint8 with a normalised 2-D kernel (edges reflected)."""
    k = (kernel / kernel.sum()).astype(np.float32)
    x = img.astype(np.float32)
    out = np.stack([ndimage.convolve(x[..., c], k, mode="reflect") for c in range(x.shape[2])], 2)
    return (np.clip(out, 0, 255) + 0.5).astype(np.uint8)


def disc_kernel(radius: float) -> np.ndarray:
    """Defocus PSF: a disc of `radius` px, [2r+1, 2r+1] (anti-aliased at the rim)."""
    r = int(np.ceil(radius))
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    return np.clip(radius + 0.5 - np.hypot(xx, yy), 0, 1).astype(np.float32)


def line_kernel(length: float, angle_deg: float) -> np.ndarray:
    """Motion PSF: a line of `length` px at `angle_deg`, [L, L]."""
    n = max(int(np.ceil(length)) | 1, 3)
    k = np.zeros((n, n), np.float32)
    c, t = n // 2, np.deg2rad(angle_deg)
    for s in np.linspace(-length / 2, length / 2, 4 * n):
        k[int(round(c + s * np.sin(t))), int(round(c + s * np.cos(t)))] = 1
    return k


def defocus(img: np.ndarray, radius: float) -> np.ndarray:
    return img if radius < 0.5 else _convolve(img, disc_kernel(radius))


def motion_blur(img: np.ndarray, length: float, angle_deg: float) -> np.ndarray:
    return img if length < 1.5 else _convolve(img, line_kernel(length, angle_deg))


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    """Encode as JPEG at `quality` (4:2:0, as cameras and browsers do) and decode."""
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    with Image.open(buf) as im:
        return np.asarray(im.convert("RGB"))


def sensor_noise(img: np.ndarray, rng: np.random.Generator, read_sigma: float, photons: float) -> np.ndarray:
    """Shot noise (Poisson with `photons` electrons at full scale) plus Gaussian read noise (sigma in
    0-255 units)."""
    x = img.astype(np.float32) / 255.0
    if photons > 0:
        x = rng.poisson(x * photons).astype(np.float32) / photons
    x = x * 255 + rng.normal(0, read_sigma, size=x.shape).astype(np.float32)
    return (np.clip(x, 0, 255) + 0.5).astype(np.uint8)


def vignette(img: np.ndarray, strength: float) -> np.ndarray:
    """Radial fall-off: brightness x (1 - strength * r^2), r = 1 at the frame corners."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r2 = ((xx - (w - 1) / 2) ** 2 + (yy - (h - 1) / 2) ** 2) / (((w - 1) / 2) ** 2 + ((h - 1) / 2) ** 2)
    return (np.clip(img.astype(np.float32) * (1 - strength * r2)[..., None], 0, 255) + 0.5).astype(np.uint8)


def eyepiece(img: np.ndarray, boxes: np.ndarray, labels: np.ndarray, cx: float, cy: float, radius: float,
             min_inside: float = 0.6, samples: int = 12):
    """Black out everything outside the circle (cx, cy, radius) in px.

    A box keeps its label when at least `min_inside` of its area lies inside the circle and is shrunk
    to the bounding box of its inside part; the others are dropped. Returns (img, boxes, labels).
    """
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    out = img.copy()
    out[(xx + 0.5 - cx) ** 2 + (yy + 0.5 - cy) ** 2 > radius ** 2] = 0
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    if len(boxes) == 0:
        return out, boxes, labels
    t = (np.arange(samples) + 0.5) / samples
    px = boxes[:, None, 0] + t[None] * (boxes[:, 2] - boxes[:, 0])[:, None]  # [T, S]
    py = boxes[:, None, 1] + t[None] * (boxes[:, 3] - boxes[:, 1])[:, None]
    inside = (px[:, None, :] - cx) ** 2 + (py[:, :, None] - cy) ** 2 <= radius ** 2  # [T, Sy, Sx]
    keep = inside.mean(axis=(1, 2)) >= min_inside
    new = boxes.copy()
    for i in np.nonzero(keep)[0]:
        cols, rows = inside[i].any(axis=0), inside[i].any(axis=1)
        half_w = (boxes[i, 2] - boxes[i, 0]) / samples / 2
        half_h = (boxes[i, 3] - boxes[i, 1]) / samples / 2
        new[i] = [px[i][cols].min() - half_w, py[i][rows].min() - half_h,
                  px[i][cols].max() + half_w, py[i][rows].max() + half_h]
    return out, new[keep], np.asarray(labels)[keep]

"""Colour reference statistics of training images, for the card (src/pipeline matches cameras to it).

CIE L*a*b* (sRGB, D65) mean/std over all pixels, and the mean RGB of the background (plasma):
the brightest 20% of pixels by luminance in each image.
"""
from typing import Dict, List

import numpy as np


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """[..., 3] uint8 sRGB -> [..., 3] float L*a*b* (D65)."""
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def colour_reference(images: List[np.ndarray], background_frac: float = 0.2) -> Dict[str, List[float]]:
    labs, bgs = [], []
    for img in images:
        px = img.reshape(-1, 3)[::7]  # subsample pixels
        labs.append(srgb_to_lab(px))
        lum = px @ np.array([0.2126, 0.7152, 0.0722])
        bgs.append(px[lum >= np.quantile(lum, 1 - background_frac)].mean(0))
    lab = np.concatenate(labs)
    return {"labMean": [round(float(v), 3) for v in lab.mean(0)],
            "labStd": [round(float(v), 3) for v in lab.std(0)],
            "backgroundRgb": [round(float(v), 2) for v in np.mean(bgs, 0)]}

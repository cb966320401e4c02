"""Stain and colour augmentation in optical-density space (images HWC uint8 RGB in, uint8 out).

HED stain-vector jitter follows Tellez et al. 2018/2019 ("HED-light"): the image is unmixed into
haematoxylin, eosin and DAB densities with Ruifrok & Johnston's matrix (optical density -ln(I), as
scikit-image's `rgb2hed` computed it before 0.19, the version Tellez et al. used: the newer one
divides by -ln(1e-6) = 13.8, which would make the same beta 13.8x stronger), each channel becomes alpha * s + beta with
alpha ~ U(1 - sigma, 1 + sigma), beta ~ U(-sigma, sigma), and is mixed back. Wright-Giemsa is not
H&E, but its two dyes sit near the same vectors, so the jitter moves the stain balance, not just the
camera's white point. Tinted backgrounds, hue shifts and (in transforms.colour_jitter) gamma and
saturation cover what the light source and camera do.
"""
import numpy as np
from PIL import Image

# Ruifrok & Johnston: rows are the RGB optical-density vectors of haematoxylin, eosin, DAB.
RGB_FROM_HED = np.array([[0.65, 0.70, 0.29], [0.07, 0.99, 0.11], [0.27, 0.57, 0.78]], np.float64)
HED_FROM_RGB = np.linalg.inv(RGB_FROM_HED)


def rgb_to_hed(rgb: np.ndarray) -> np.ndarray:
    """[H, W, 3] RGB in [0, 1] -> [H, W, 3] HED densities (-ln(I) @ HED_FROM_RGB). Unlike `rgb2hed`, negative
    densities are kept: clipping them shifts the colour of most smear pixels (mean 4.5/255 on BCCD), so
    a zero jitter would not be the identity."""
    return -np.log(np.maximum(rgb, 1e-6)) @ HED_FROM_RGB


def hed_to_rgb(hed: np.ndarray) -> np.ndarray:
    """Inverse of rgb_to_hed: [H, W, 3] densities -> [H, W, 3] RGB in [0, 1]."""
    return np.clip(np.exp(-(hed @ RGB_FROM_HED)), 0, 1)


def hed_jitter(img: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Per-stain scale alpha ~ U(1-sigma, 1+sigma) and shift beta ~ U(-sigma, sigma) in HED space."""
    return hed_transform(img, rng.uniform(1 - sigma, 1 + sigma, size=3), rng.uniform(-sigma, sigma, size=3))


def hed_transform(img: np.ndarray, alpha, beta) -> np.ndarray:
    """Each HED density s (3 stains) becomes alpha * s + beta; alpha, beta: [3]."""
    hed = rgb_to_hed(img.astype(np.float64) / 255.0) * np.asarray(alpha) + np.asarray(beta)
    return (hed_to_rgb(hed) * 255 + 0.5).astype(np.uint8)


def tint_background(img: np.ndarray, rng: np.random.Generator, strength: float = 0.15) -> np.ndarray:
    """A colour cast that weighs on the bright background more than on the stained cells (a bluish or
    yellowish lamp, a condenser filter): gain per channel in [1 - strength, 1 + strength/3], applied in
    proportion to the pixel's brightness."""
    return tint(img, rng.uniform(1 - strength, 1 + strength / 3, size=3))


def tint(img: np.ndarray, gain) -> np.ndarray:
    """Per-channel gain [3], weighted by brightness: full on white background, none below 35% grey."""
    x = img.astype(np.float32) / 255.0
    gain = np.asarray(gain, np.float32)
    wgt = np.clip((x.mean(axis=2, keepdims=True) - 0.35) / 0.5, 0, 1)
    x = x * (1 + wgt * (gain - 1))
    return (np.clip(x, 0, 1) * 255 + 0.5).astype(np.uint8)


def hue_shift(img: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate every pixel's hue by `degrees` (PIL's HSV; saturation and value kept)."""
    hsv = np.asarray(Image.fromarray(img).convert("HSV")).copy()
    hsv[..., 0] = ((hsv[..., 0].astype(np.int32) + int(round(degrees / 360 * 256))) % 256).astype(np.uint8)
    return np.asarray(Image.fromarray(hsv, "HSV").convert("RGB"))

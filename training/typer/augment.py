"""Stain, optics, sensor and scale augmentation for the typer's crops (pure numpy/PIL functions).

Every image function takes and returns uint8 RGB [H, W, 3] of the same shape (except `rescale`'s
resolution loss, which keeps the shape too); parameters are explicit so that the fixed shifts of
`shifts.py` and the random draws of `random_view` share one implementation.

- stain: `hed_jitter` (optical-density stain-vector jitter in the haematoxylin-eosin-DAB basis,
  Tellez et al. 2018, on training/data/stain.py's unmixing), `hue_shift` (stain.py's),
  `saturation`, `gamma`, `brightness_contrast`;
- illuminant: `tint` (per-channel gains in linear light, what another lamp or camera does);
- optics and sensor: `defocus`, `motion_blur`, `sensor_noise`, `jpeg` (the detector's, from
  training/data/optics.py), `rescale` (resolution loss);
- the pipeline's colour normalisation: `white_balance` (twin of src/colour, mode 'wb':
  the brightest 20% of pixels by luma are the background, mapped onto the model card's background
  in linear light with gains clamped to [1/3, 3]).
"""
from typing import Sequence

import numpy as np
from PIL import Image

from ..data.optics import defocus, jpeg, motion_blur, sensor_noise  # noqa: F401 (re-exported: one set of image ops)
from ..data.stain import hed_to_rgb, hue_shift, rgb_to_hed  # noqa: F401

# The detector card's colourReference.backgroundRgb (BCCD trainval plasma), the white balance target.
REFERENCE_BACKGROUND = (203.99, 205.62, 199.53)


def _u8(x: np.ndarray) -> np.ndarray:
    return (np.clip(x, 0, 1) * 255 + 0.5).astype(np.uint8)


def srgb_to_linear(x: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] -> linear light in [0, 1]."""
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.0031308, x * 12.92, 1.055 * x ** (1 / 2.4) - 0.055)


def hed_jitter(img: np.ndarray, alpha: Sequence[float], beta: Sequence[float]) -> np.ndarray:
    """Stain jitter in optical density: hed' = hed * alpha + beta per stain (H, E, D).
    alpha [3] (1 = unchanged; H > 1 is more blue-purple, E > 1 more pink), beta [3] OD offsets."""
    hed = rgb_to_hed(img.astype(np.float64) / 255.0) * np.asarray(alpha) + np.asarray(beta)
    return (hed_to_rgb(hed) * 255 + 0.5).astype(np.uint8)


def saturation(img: np.ndarray, factor: float) -> np.ndarray:
    """factor 0 = grey, 1 = unchanged."""
    x = img.astype(np.float32) / 255
    grey = x @ np.array([0.299, 0.587, 0.114], np.float32)
    return _u8(grey[..., None] + (x - grey[..., None]) * factor)


def gamma(img: np.ndarray, g: float) -> np.ndarray:
    return _u8((img.astype(np.float32) / 255) ** g)


def brightness_contrast(img: np.ndarray, brightness: float, contrast: float) -> np.ndarray:
    """x' = mean + (x - mean) * contrast + brightness, x in [0, 1]."""
    x = img.astype(np.float32) / 255
    m = x.mean()
    return _u8(m + (x - m) * contrast + brightness)


def tint(img: np.ndarray, gains: Sequence[float]) -> np.ndarray:
    """Illuminant / camera colour cast: per-channel gains [3] on linear light."""
    lin = srgb_to_linear(img.astype(np.float32) / 255) * np.asarray(gains, np.float32)
    return _u8(linear_to_srgb(lin))


def background_rgb(img: np.ndarray, fraction: float = 0.2) -> np.ndarray:
    """Mean sRGB [3] of the brightest `fraction` of pixels by integer luma (measureBackgroundRgb)."""
    px = img.reshape(-1, 3).astype(np.int64)
    luma = (px[:, 0] * 54 + px[:, 1] * 183 + px[:, 2] * 19) >> 8
    hist = np.bincount(luma, minlength=256)
    want = max(1, int(round(len(px) * fraction)))
    lo = 255 - int(np.searchsorted(np.cumsum(hist[::-1]), want))
    return px[luma >= lo].mean(0)


def white_balance(img: np.ndarray, reference=REFERENCE_BACKGROUND, fraction: float = 0.2,
                  max_gain: float = 3.0) -> np.ndarray:
    """The pipeline's white balance: gains on linear light that map this image's background onto
    `reference` (sRGB [3]), each clamped to [1/max_gain, max_gain]."""
    m = srgb_to_linear(background_rgb(img, fraction) / 255)
    r = srgb_to_linear(np.asarray(reference, np.float64) / 255)
    gains = np.where(m <= 1e-6, 1.0, np.clip(r / np.maximum(m, 1e-6), 1 / max_gain, max_gain))
    lin = np.minimum(1, srgb_to_linear(img.astype(np.float32) / 255) * gains.astype(np.float32))
    return _u8(linear_to_srgb(lin))


def downscale(img: np.ndarray, factor: float) -> np.ndarray:
    """Resamples by `factor` (< 1: fewer pixels, antialiased like a sensor's pixel area)."""
    h, w = img.shape[:2]
    size = (max(1, int(round(w * factor))), max(1, int(round(h * factor))))
    return np.asarray(Image.fromarray(img).resize(size, Image.BILINEAR))


def rescale(img: np.ndarray, factor: float) -> np.ndarray:
    """Resolution loss: downscale by `factor`, then enlarge back to the same shape (what a frame
    from a lower magnification looks like once the pipeline resamples it to the model's scale)."""
    h, w = img.shape[:2]
    return np.asarray(Image.fromarray(downscale(img, factor)).resize((w, h), Image.BILINEAR))

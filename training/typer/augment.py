"""Stain, optics, sensor and scale augmentation for the typer's crops (pure numpy/PIL functions).

Every image function takes and returns uint8 RGB [H, W, 3] of the same shape (except `rescale`'s
resolution loss, which keeps the shape too); parameters are explicit so that the fixed shifts of
`shifts.py` and the random draws of `random_view` share one implementation.

- stain: `hed_jitter` (optical-density stain-vector jitter in the haematoxylin-eosin-DAB basis,
  Tellez et al. 2018, "Whole-slide mitosis detection in H&E breast histology using PHH3 as a
  reference"), `hue_shift`, `saturation`, `gamma`, `brightness_contrast`;
- illuminant: `tint` (per-channel gains in linear light, what another lamp or camera does);
- optics and sensor: `defocus`, `motion_blur`, `noise`, `jpeg`, `rescale` (resolution loss);
- the pipeline's colour normalisation: `white_balance` (twin of src/pipeline/colour, mode 'wb':
  the brightest 20% of pixels by luma are the background, mapped onto the model card's background
  in linear light with gains clamped to [1/3, 3]).
"""
import io
from typing import Sequence

import numpy as np
from PIL import Image
from scipy import ndimage

# Ruifrok & Johnston stain vectors (rows: haematoxylin, eosin, DAB), as in skimage.color.rgb_from_hed.
RGB_FROM_HED = np.array([[0.65, 0.70, 0.29], [0.07, 0.99, 0.11], [0.27, 0.57, 0.78]])
HED_FROM_RGB = np.linalg.inv(RGB_FROM_HED)
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
    od = -np.log((img.astype(np.float32) + 1) / 256)
    hed = od @ HED_FROM_RGB.astype(np.float32)
    hed = hed * np.asarray(alpha, np.float32) + np.asarray(beta, np.float32)
    rgb = 256 * np.exp(-(hed @ RGB_FROM_HED.astype(np.float32))) - 1
    return (np.clip(rgb, 0, 255) + 0.5).astype(np.uint8)


def hue_shift(img: np.ndarray, degrees: float) -> np.ndarray:
    """Rotates the chroma plane (YIQ) by `degrees`, keeping luma."""
    to_yiq = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]], np.float32)
    t = np.deg2rad(degrees)
    rot = np.array([[1, 0, 0], [0, np.cos(t), -np.sin(t)], [0, np.sin(t), np.cos(t)]], np.float32)
    m = np.linalg.inv(to_yiq) @ rot @ to_yiq
    return _u8((img.astype(np.float32) / 255) @ m.T.astype(np.float32))


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


def _filter(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    x = img.astype(np.float32)
    out = np.stack([ndimage.convolve(x[..., c], kernel, mode="reflect") for c in range(3)], -1)
    return (np.clip(out, 0, 255) + 0.5).astype(np.uint8)


def defocus(img: np.ndarray, radius: float) -> np.ndarray:
    """Defocus: convolution with a uniform disc of `radius` pixels (antialiased edge)."""
    r = int(np.ceil(radius))
    if radius <= 0:
        return img.copy()
    y, x = np.mgrid[-r:r + 1, -r:r + 1]
    k = np.clip(radius + 0.5 - np.sqrt(x ** 2 + y ** 2), 0, 1).astype(np.float32)
    return _filter(img, k / k.sum())


def motion_blur(img: np.ndarray, length: float, angle_deg: float) -> np.ndarray:
    """Linear motion blur over `length` pixels at `angle_deg`."""
    r = int(np.ceil(length / 2))
    k = np.zeros((2 * r + 1, 2 * r + 1), np.float32)
    t = np.deg2rad(angle_deg)
    for s in np.linspace(-length / 2, length / 2, max(2, int(length * 4))):
        k[int(round(r + s * np.sin(t))), int(round(r + s * np.cos(t)))] += 1
    return _filter(img, k / k.sum())


def noise(img: np.ndarray, rng: np.random.Generator, read_sigma: float, shot: float) -> np.ndarray:
    """Sensor noise: Gaussian with variance read_sigma^2 + shot * x (x in [0, 255] units)."""
    x = img.astype(np.float32)
    sd = np.sqrt(read_sigma ** 2 + shot * x)
    return (np.clip(x + rng.standard_normal(x.shape).astype(np.float32) * sd, 0, 255) + 0.5).astype(np.uint8)


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    """Re-encodes as JPEG at `quality` (libjpeg via Pillow, 4:2:0 chroma subsampling)."""
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


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

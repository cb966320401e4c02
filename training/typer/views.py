"""Random training views of a typed leukocyte: box error, resolution, stain, optics, sensor, then the
pipeline's white balance and crop rule.

Order follows the light path: the cell's region is taken at the camera's resolution (a random cell
width of 20-200 px: `rescale`), the stain varies (chemistry), the lamp tints it, the optics blur it,
the sensor adds noise, the camera JPEG-encodes it; then the pipeline white-balances and the crop rule
(`crops.crop_rgb`, which enlarges a small cell back to 64 x 64) makes the typer's input.
"""
from dataclasses import dataclass
from typing import Tuple

import numpy as np

from . import augment as A
from .crops import crop_rgb, crop_square


@dataclass(frozen=True)
class ViewConfig:
    """Probabilities (p_*) and ranges of each augmentation. `robust()` is what the robust typer
    trains with; `basic()` only box jitter and the dihedral group (the rest off)."""
    centre_jitter: float = 0.08          # box centre +- this x box side
    side_range: Tuple[float, float] = (0.85, 1.2)
    p_scale: float = 0.6                 # resolution loss: cell width log-uniform in cell_px
    cell_px: Tuple[float, float] = (20.0, 200.0)
    p_hed: float = 0.8
    hed_sigma: float = 0.15              # alpha in 1 +- sigma, beta in +- sigma / 3 (OD)
    p_hue: float = 0.4
    hue_deg: float = 15.0
    p_saturation: float = 0.4
    saturation_range: Tuple[float, float] = (0.4, 1.4)
    p_gamma: float = 0.4
    gamma_range: Tuple[float, float] = (0.7, 1.4)
    p_brightness: float = 0.4
    p_tint: float = 0.6
    tint_sigma: float = 0.2              # log-normal per-channel gains
    p_defocus: float = 0.25
    defocus_px: Tuple[float, float] = (0.7, 3.0)
    p_motion: float = 0.1
    p_noise: float = 0.3
    p_jpeg: float = 0.4
    jpeg_quality: Tuple[int, int] = (30, 95)
    p_white_balance: float = 0.7
    context: float = 2.0                 # region side / crop side (the white balance's background)

    @staticmethod
    def robust() -> "ViewConfig":
        return ViewConfig()

    @staticmethod
    def basic() -> "ViewConfig":
        return ViewConfig(p_scale=0, p_hed=0, p_hue=0, p_saturation=0, p_gamma=0, p_brightness=0, p_tint=0,
                          p_defocus=0, p_motion=0, p_noise=0, p_jpeg=0, p_white_balance=0)


def jitter_box(box, rng: np.random.Generator, cfg: ViewConfig) -> np.ndarray:
    """box xyxy [4] -> a box with the detector's error: centre shift and side scale."""
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    cx = (x1 + x2) / 2 + rng.uniform(-cfg.centre_jitter, cfg.centre_jitter) * w
    cy = (y1 + y2) / 2 + rng.uniform(-cfg.centre_jitter, cfg.centre_jitter) * h
    s = rng.uniform(*cfg.side_range)
    return np.array([cx - s * w / 2, cy - s * h / 2, cx + s * w / 2, cy + s * h / 2], np.float32)


def context_region(img: np.ndarray, box: np.ndarray, context: float):
    """The square of `context` x the crop side around the box (clamped to the frame) ->
    (region [h, w, 3], box in region pixels [4])."""
    h, w = img.shape[:2]
    x0, y0, side = crop_square(box, w, h, pad=(1 + 0.15) * context - 1)
    region = img[y0:y0 + side, x0:x0 + side]
    return region, box - np.array([x0, y0, x0, y0], np.float32)


def stain_and_camera(region: np.ndarray, rng: np.random.Generator, cfg: ViewConfig) -> np.ndarray:
    """Random stain, illuminant, optics, sensor and JPEG on a region [h, w, 3] uint8."""
    x = region
    if rng.random() < cfg.p_hed:
        s = cfg.hed_sigma
        x = A.hed_jitter(x, rng.uniform(1 - s, 1 + s, 3), rng.uniform(-s / 3, s / 3, 3))
    if rng.random() < cfg.p_hue:
        x = A.hue_shift(x, rng.uniform(-cfg.hue_deg, cfg.hue_deg))
    if rng.random() < cfg.p_saturation:
        x = A.saturation(x, rng.uniform(*cfg.saturation_range))
    if rng.random() < cfg.p_gamma:
        x = A.gamma(x, float(np.exp(rng.uniform(*np.log(cfg.gamma_range)))))
    if rng.random() < cfg.p_brightness:
        x = A.brightness_contrast(x, rng.uniform(-0.08, 0.08), rng.uniform(0.75, 1.25))
    if rng.random() < cfg.p_tint:
        x = A.tint(x, np.exp(rng.normal(0, cfg.tint_sigma, 3)))
    if rng.random() < cfg.p_defocus:
        x = A.defocus(x, rng.uniform(*cfg.defocus_px))
    if rng.random() < cfg.p_motion:
        x = A.motion_blur(x, rng.uniform(2, 6), rng.uniform(0, 180))
    if rng.random() < cfg.p_noise:
        x = A.sensor_noise(x, rng, rng.uniform(1, 6), float(np.exp(rng.uniform(np.log(300), np.log(5000)))))
    if rng.random() < cfg.p_jpeg:
        x = A.jpeg(x, int(rng.integers(cfg.jpeg_quality[0], cfg.jpeg_quality[1] + 1)))
    if rng.random() < cfg.p_white_balance:
        x = A.white_balance(x)
    return x


def random_view(img: np.ndarray, box, rng: np.random.Generator, size: int, cfg: ViewConfig) -> np.ndarray:
    """One training view. img [H, W, 3] uint8 (a field or a single-cell image), box xyxy pixels ->
    [size, size, 3] uint8, rotated by a random multiple of 90 degrees and maybe mirrored."""
    box = jitter_box(np.asarray(box, np.float32), rng, cfg)
    region, rbox = context_region(img, box, cfg.context)
    if rng.random() < cfg.p_scale:
        cell = float(np.exp(rng.uniform(*np.log(cfg.cell_px))))
        f = min(1.0, cell / max(float(rbox[2] - rbox[0]), float(rbox[3] - rbox[1]), 1.0))
        if f < 1:
            small = A.downscale(region, f)
            f_eff = np.array([small.shape[1] / region.shape[1], small.shape[0] / region.shape[0]] * 2, np.float32)
            region, rbox = small, rbox * f_eff
    region = stain_and_camera(np.ascontiguousarray(region), rng, cfg)
    crop = np.rot90(crop_rgb(region, rbox, size), int(rng.integers(4)))
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return np.ascontiguousarray(crop)

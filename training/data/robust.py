"""The cross-device training view: scale normalisation and zoom, stain and colour, optics and sensor.

Switched on by config keys whose defaults (config.BASE) leave the older configs' training unchanged:
`scale_norm` (per-source scale to the reference RBC diameter, then zoom `scale_jitter` / `scale_wide_p`),
`stain_sigma` (HED jitter), `tint_p` (tinted background + hue shift), `optics_p` (blur, JPEG, noise,
vignetting) and `eyepiece_p`. Images HWC uint8; boxes xyxy pixels [T, 4]; labels [T].
"""
from dataclasses import dataclass
from typing import Callable, Optional, Tuple

import numpy as np

from . import optics, scale, stain
from .transforms import colour_jitter, hflip, rot90, train_geometry, vflip


@dataclass(frozen=True)
class RobustAug:
    scale_norm: bool = False
    scale_jitter: float = 0.0  # zoom log-uniform in [1 - j, 1 / (1 - j)] about the reference scale
    scale_wide_p: float = 0.0  # share of views zoomed log-uniform in scale_wide instead
    scale_wide: Tuple[float, float] = (0.5, 2.0)
    stain_sigma: float = 0.0  # HED alpha/beta range (Tellez's HED-light: 0.05)
    tint_p: float = 0.0
    optics_p: float = 0.0
    eyepiece_p: float = 0.0

    @staticmethod
    def from_cfg(cfg: dict) -> "RobustAug":
        return RobustAug(scale_norm=bool(cfg.get("scale_norm", False)), scale_jitter=cfg.get("scale_jitter", 0.0),
                         scale_wide_p=cfg.get("scale_wide_p", 0.0),
                         scale_wide=tuple(cfg.get("scale_wide", (0.5, 2.0))),
                         stain_sigma=cfg.get("stain_sigma", 0.0), tint_p=cfg.get("tint_p", 0.0),
                         optics_p=cfg.get("optics_p", 0.0), eyepiece_p=cfg.get("eyepiece_p", 0.0))

    @property
    def any_photometric(self) -> bool:
        return self.stain_sigma > 0 or self.tint_p > 0 or self.optics_p > 0 or self.eyepiece_p > 0


def geometric_view(img, boxes, labels, rng: np.random.Generator, aug: RobustAug, f_native: float, out_w: int,
                   out_h: int, aspect_jitter: float, draw_field: Callable):
    """Rotations/flips, then a view whose RBC diameters come out at reference x zoom.

    f_native: the factor that takes this source's native pixels to the reference scale.
    """
    img, boxes = rot90(img, boxes, int(rng.integers(0, 4)))
    if rng.random() < 0.5:
        img, boxes = hflip(img, boxes)
    if rng.random() < 0.5:
        img, boxes = vflip(img, boxes)
    aspect = out_w / out_h * float(np.exp(rng.uniform(-aspect_jitter, aspect_jitter)))
    zoom = scale.sample_zoom(rng, aug.scale_jitter, aug.scale_wide_p, aug.scale_wide)
    return scale.scaled_view(img, boxes, labels, rng, f_native * zoom, out_w, out_h, aspect, draw_field)


def photometric(img: np.ndarray, rng: np.random.Generator, aug: RobustAug) -> np.ndarray:
    """Stain, then colour (the existing jitter at 80%, as before), then optics and sensor."""
    if aug.stain_sigma > 0 and rng.random() < 0.8:
        img = stain.hed_jitter(img, rng, aug.stain_sigma)
    if rng.random() < 0.8:
        img = colour_jitter(img, rng)
    if rng.random() < aug.tint_p:
        img = stain.tint_background(img, rng)
        img = stain.hue_shift(img, rng.uniform(-12, 12))
    if rng.random() < aug.optics_p:
        img = degrade(img, rng)
    return img


def degrade(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One random camera: each degradation with probability 1/2, in the order light meets them."""
    if rng.random() < 0.5:
        img = optics.vignette(img, rng.uniform(0.1, 0.5))
    blur = rng.random()
    if blur < 0.3:
        img = optics.defocus(img, rng.uniform(1.0, 3.5))
    elif blur < 0.5:
        img = optics.motion_blur(img, rng.uniform(3, 9), rng.uniform(0, 180))
    if rng.random() < 0.5:
        img = optics.sensor_noise(img, rng, rng.uniform(1, 6), rng.choice([0.0, 200.0, 1000.0]))
    if rng.random() < 0.5:
        img = optics.jpeg(img, int(rng.integers(30, 96)))
    return img


def eyepiece_view(img, boxes, labels, rng: np.random.Generator):
    """A phone at the eyepiece: a circle of diameter 0.9-1.3 x the frame width, its centre jittered."""
    h, w = img.shape[:2]
    r = rng.uniform(0.45, 0.65) * w
    cx, cy = w / 2 + rng.uniform(-0.05, 0.05) * w, h / 2 + rng.uniform(-0.05, 0.05) * h
    return optics.eyepiece(img, boxes, labels, cx, cy, r)


def robust_transform(img, boxes, labels, rng: np.random.Generator, aug: RobustAug, f_native: float, out_w: int,
                     out_h: int, aspect_jitter: float, scale_min: float, draw_field: Optional[Callable]):
    """The whole training view (out_w x out_h). Without scale_norm the geometry is the older crop rule."""
    if aug.scale_norm:
        img, boxes, labels = geometric_view(img, boxes, labels, rng, aug, f_native, out_w, out_h, aspect_jitter,
                                            draw_field)
    else:
        img, boxes, labels = train_geometry(img, boxes, labels, rng, out_w, out_h, scale_min, aspect_jitter)
    img = photometric(img, rng, aug)
    if rng.random() < aug.eyepiece_p:
        img, boxes, labels = eyepiece_view(img, boxes, labels, rng)
    return img, boxes, labels

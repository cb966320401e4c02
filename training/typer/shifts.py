"""Fixed stain, colour, scale and camera shifts of whole fields, for the typer's shifted test rows.

Each shift maps a field [H, W, 3] uint8 to a field of the same shape (boxes unchanged): the scale
shifts lose resolution and are enlarged back, as the pipeline does when it resamples a
low-magnification frame to the model's scale. Parameters are fixed here (seeded where random), so
every typer is measured on the same pixels. Not used in training (`views.py` draws its own).
"""
from typing import Callable, Dict

import numpy as np

from . import augment as A

Shift = Callable[[np.ndarray], np.ndarray]


def _seeded_noise(img: np.ndarray) -> np.ndarray:
    return A.sensor_noise(img, np.random.default_rng(1234), read_sigma=4.0, photons=800.0)


SHIFTS: Dict[str, Shift] = {
    "none": lambda x: x.copy(),
    # another lamp/camera: a cyan-blue background (linear gains R 0.70, G 0.95, B 1.20)
    "bluish background": lambda x: A.tint(x, (0.70, 0.95, 1.20)),
    # stain chemistry: more haematoxylin/azure (blue-purple), less eosin, and the reverse
    "more-blue stain": lambda x: A.hed_jitter(x, (1.35, 0.75, 1.0), (0.02, 0.0, 0.0)),
    "more-pink stain": lambda x: A.hed_jitter(x, (0.75, 1.40, 1.0), (0.0, 0.03, 0.0)),
    "desaturated": lambda x: A.saturation(x, 0.45),
    "x0.4 resolution": lambda x: A.rescale(x, 0.4),
    "x0.25 resolution": lambda x: A.rescale(x, 0.25),
    "JPEG 30": lambda x: A.jpeg(x, 30),
    "defocus blur": lambda x: A.defocus(x, 3.0),
    "sensor noise": _seeded_noise,
    # several at once, like the other lab's microscope: bluish lamp, pinker stain, x0.6, JPEG 60
    "combined": lambda x: A.jpeg(A.rescale(A.hed_jitter(A.tint(x, (0.75, 0.95, 1.15)), (0.85, 1.25, 1.0),
                                                        (0.0, 0.0, 0.0)), 0.6), 60),
}


def apply_shift(name: str, img: np.ndarray, white_balance: bool) -> np.ndarray:
    """The shifted field, then (if white_balance) the pipeline's white balance on the whole field."""
    if name not in SHIFTS:
        raise KeyError(f"unknown shift '{name}' (known: {', '.join(SHIFTS)})")
    out = SHIFTS[name](img)
    return A.white_balance(out) if white_balance else out

"""training/cross_device.py: fixed, repeatable devices and the recall count."""
import numpy as np
import pytest

from training.config import CLASSES
from training.cross_device import DEVICES, Device, leukocyte_recall, render

RBC = CLASSES.index("RBC")


def fields(n=6):
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        img = rng.integers(100, 255, size=(480, 640, 3)).astype(np.uint8)
        out.append((img, np.array([[100, 100, 200, 180], [300, 200, 420, 330]], np.float32), np.array([RBC, 0])))
    return out


def test_clean_device_is_the_cards_resize():
    f = fields()
    img, b, l = render(Device("clean"), f, 0, 512, 384)
    assert img.shape == (384, 512, 3)
    np.testing.assert_allclose(b, f[0][1] * 0.8, atol=1e-3)
    assert list(l) == [RBC, 0]


def test_every_device_renders_the_same_frame_twice_and_zoom_out_brings_neighbours():
    f = fields()
    for dev in DEVICES:
        a, ba, _ = render(dev, f, 2, 512, 384)
        b, bb, _ = render(dev, f, 2, 512, 384)
        assert np.array_equal(a, b) and np.array_equal(ba, bb), dev.name
    _, b, _ = render(Device("z", zoom=0.6), f, 0, 512, 384)
    assert len(b) > 2  # boxes of the tiled neighbour fields come along


def test_leukocyte_recall_counts_one_to_one_matches_above_the_score_threshold():
    gts = {"a": {"boxes": np.array([[0, 0, 10, 10], [50, 50, 10, 10]], float), "labels": np.array(["WBC", "WBC"], object)}}
    preds = {"a": {"boxes": np.array([[0, 0, 10, 10], [1, 1, 10, 10], [50, 50, 10, 10]], float),
                   "scores": np.array([0.9, 0.8, 0.1]), "labels": np.array(["WBC", "WBC", "WBC"], object)}}
    assert leukocyte_recall(gts, preds) == pytest.approx(0.5)  # the second box matches an already-found cell
    assert leukocyte_recall(gts, preds, min_score=0.05) == pytest.approx(1.0)

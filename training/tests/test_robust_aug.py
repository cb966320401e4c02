"""Cross-device augmentation (training/data/{scale,stain,optics,robust}.py)."""
import numpy as np
import pytest

from training.config import BASE, CLASSES, get_config
from training.data import optics, scale, stain
from training.data.annotations import Record
from training.data.dataset import DetectionDataset
from training.data.robust import RobustAug, robust_transform
from training.data.transforms import train_transform

RBC = CLASSES.index("RBC")


def smear(h=120, w=160, seed=0):
    """A pale background with dark-red discs: a field whose RBC boxes are known."""
    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), (235, 225, 230), np.uint8)
    boxes = []
    yy, xx = np.mgrid[0:h, 0:w]
    for _ in range(6):
        r = 10
        cx, cy = rng.integers(r, w - r), rng.integers(r, h - r)
        img[(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] = (180, 60, 80)
        boxes.append([cx - r, cy - r, cx + r, cy + r])
    return img, np.array(boxes, np.float32), np.full(len(boxes), RBC, np.int64)


def test_default_config_keys_leave_the_older_training_unchanged():
    """Same seed, same view: the dataset with default keys is exactly train_transform."""
    img, boxes, labels = smear()
    aug = RobustAug.from_cfg(get_config("lite"))
    assert not aug.scale_norm and not aug.any_photometric
    a = train_transform(img, boxes, labels, np.random.default_rng(3), 128, 96, BASE["scale_min"], BASE["aspect_jitter"])
    b = robust_transform(img, boxes, labels, np.random.default_rng(3), RobustAug(scale_norm=False, tint_p=1e-9), 1.0,
                         128, 96, BASE["aspect_jitter"], BASE["scale_min"], None)
    assert a[0].shape == b[0].shape and np.array_equal(a[1], b[1])


def test_view_size_scales_diameters_by_f():
    for f, aspect in [(0.5, 4 / 3), (1.0, 1.0), (2.3, 1.6)]:
        cw, ch = scale.view_size(512, 384, aspect, f)
        sx, sy = 512 / cw, 384 / ch
        assert np.sqrt(sx * sy) == pytest.approx(f, rel=0.01)
        assert cw / ch == pytest.approx(aspect, rel=0.02)


def test_sample_zoom_stays_in_its_ranges_and_uses_both():
    rng = np.random.default_rng(0)
    z = np.array([scale.sample_zoom(rng, 0.35, 0.2) for _ in range(4000)])
    assert z.min() >= 0.5 and z.max() <= 2.0
    narrow = (z >= 0.65) & (z <= 1 / 0.65)
    assert 0.8 < narrow.mean() < 0.95  # 80% narrow plus the wide draws that land inside it
    assert (z < 0.7).mean() > 0.05 and (z > 1.4).mean() > 0.05  # at least +-35% both ways
    assert (z < 0.6).mean() > 0.02 and (z > 1.5).mean() > 0.02
    assert abs(np.median(np.log(z))) < 0.05  # log-uniform about 1


def test_scaled_view_brings_rbc_to_target_diameter_and_zoom_out_fills_the_frame():
    img, boxes, labels = smear()
    fields = iter([smear(seed=s) for s in range(1, 400)])
    for f in (0.3, 0.6, 1.0, 1.8):
        ds = []
        for seed in range(6):
            out, b, l = scale.scaled_view(img, boxes, labels, np.random.default_rng(seed), f, 128, 96, 4 / 3,
                                          lambda: next(fields))
            assert out.shape == (96, 128, 3)
            assert (out.reshape(-1, 3).max(axis=1) == 0).mean() < 0.01  # no black padding, even at f = 0.3
            whole = (b[:, 0] > 1) & (b[:, 1] > 1) & (b[:, 2] < 127) & (b[:, 3] < 95)
            ds.append(scale.rbc_diameters(b[whole], l[whole]))
        assert np.median(np.concatenate(ds)) == pytest.approx(20 * f, rel=0.08)


def test_mosaic_offsets_boxes_and_rotates_tiles_to_the_first_ones_orientation():
    a = smear(60, 80, 0)
    tall = (np.ascontiguousarray(np.rot90(a[0])), np.array([[0, 0, 10, 20]], np.float32), np.array([RBC]))
    img, b, l = scale.mosaic([a, tall], 2, 1)
    assert img.shape == (60, 160, 3) and len(b) == len(a[1]) + 1
    assert b[-1, 0] >= 80  # the second tile's box lies in the right half
    w, h = b[-1, 2] - b[-1, 0], b[-1, 3] - b[-1, 1]
    assert w == pytest.approx(20) and h == pytest.approx(10)  # rotated to landscape


def test_source_diameters_from_records():
    recs = [Record("a", 640, 480, [[0, 0, 100, 100], [0, 0, 10, 40]], [RBC, RBC], "bccd"),
            Record("b", 360, 360, [[0, 0, 70, 70], [0, 0, 50, 50]], [RBC, 0], "txl-PBC")]
    d = scale.source_diameters(recs)
    assert d == {"bccd": pytest.approx(60.0), "txl-PBC": pytest.approx(70.0)}
    assert scale.median_rbc_diameter(recs, "bccd", 512, 384) == pytest.approx(48.0)
    with pytest.raises(ValueError, match="Raabin"):
        scale.median_rbc_diameter(recs, "Raabin")


def test_hed_round_trip_and_jitter_moves_stain_not_background_white():
    rng = np.random.default_rng(0)
    img = rng.integers(20, 250, size=(16, 16, 3)).astype(np.uint8)
    back = stain.hed_to_rgb(stain.rgb_to_hed(img / 255.0)) * 255
    assert np.abs(back - img).max() < 1e-6  # negative densities kept: no colour is lost on the way
    assert np.array_equal(stain.hed_jitter(img, rng, 0.0), img)
    out = np.stack([stain.hed_jitter(img, np.random.default_rng(s), 0.1) for s in range(8)])
    assert 2 < np.abs(out.astype(int) - img).mean() < 25  # it changes colours, within reason
    white = np.full((4, 4, 3), 250, np.uint8)
    assert np.abs(stain.hed_jitter(white, np.random.default_rng(0), 0.1).astype(int) - 250).max() < 40


def test_tint_weighs_on_background_and_hue_shift_rotates_hue():
    img = np.zeros((2, 2, 3), np.uint8)
    img[0] = 240  # background
    img[1] = (120, 30, 60)  # stained cell
    out = stain.tint_background(img, np.random.default_rng(2), 0.3).astype(int)
    assert np.abs(out[0] - 240).max() > np.abs(out[1] - img[1]).max()
    red = np.full((4, 4, 3), (200, 40, 40), np.uint8)
    g = stain.hue_shift(red, 120)[0, 0]
    assert g[1] > g[0] and g[1] > g[2]  # red + 120 degrees is green


def test_blurs_keep_mean_and_remove_detail():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(40, 40, 3)).astype(np.uint8)
    for out in (optics.defocus(img, 3.0), optics.motion_blur(img, 9, 30)):
        assert abs(out.mean() - img.mean()) < 2
        assert out.std() < 0.5 * img.std()
    assert np.array_equal(optics.defocus(img, 0.2), img)


def test_jpeg_noise_vignette():
    rng = np.random.default_rng(0)
    img = np.tile(np.linspace(0, 255, 64, dtype=np.uint8)[None, :, None], (48, 1, 3))
    low, high = optics.jpeg(img, 30), optics.jpeg(img, 95)
    assert np.abs(high.astype(int) - img).mean() < np.abs(low.astype(int) - img).mean()
    noisy = optics.sensor_noise(np.full((50, 50, 3), 128, np.uint8), rng, 4.0, 200.0)
    assert 4 < noisy.astype(float).std() < 20
    v = optics.vignette(np.full((48, 64, 3), 200, np.uint8), 0.4)
    assert v[24, 32, 0] > 195 and v[0, 0, 0] < 125


def test_eyepiece_blacks_outside_drops_outside_boxes_and_shrinks_cut_ones():
    img = np.full((100, 100, 3), 200, np.uint8)
    boxes = np.array([[45, 45, 55, 55],  # centre: kept as is
                      [0, 0, 10, 10],  # corner, outside: dropped
                      [30, 80, 50, 100]], np.float32)  # bottom edge, mostly inside: kept, shrunk
    out, b, l = optics.eyepiece(img, boxes, np.arange(3), 50, 50, 45, min_inside=0.6)
    assert out[0, 0].sum() == 0 and out[50, 50].sum() == 600
    assert list(l) == [0, 2]
    assert np.allclose(b[0], boxes[0], atol=0.5)
    assert b[1, 3] < 97 and b[1, 1] == pytest.approx(80, abs=1)


def test_lite_robust_dataset_views(tmp_path):
    from PIL import Image
    recs = []
    for k, (w, h, src) in enumerate([(160, 120, "bccd"), (160, 120, "bccd"), (90, 90, "txl-PBC"), (90, 90, "txl-PBC")]):
        img, boxes, labels = smear(h, w, k)
        p = tmp_path / f"{k}.png"
        Image.fromarray(img).save(p)
        recs.append(Record(str(p), w, h, boxes.tolist(), labels.tolist(), src))
    cfg = get_config("lite-robust")
    ds = DetectionDataset(recs, 128, 96, True, aug=RobustAug.from_cfg(cfg), seed=0)
    assert ds.ref_rbc_px == pytest.approx(20 * np.sqrt(0.8 * 0.8))
    for i in range(len(ds) * 5):
        x, t = ds[i % len(ds)]
        assert x.shape == (3, 96, 128) and t["boxes"].shape[1] == 4
        assert (t["boxes"] >= 0).all() and (t["boxes"] <= 1).all()

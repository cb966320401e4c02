"""The typer's augmentation (training/typer/augment.py, views.py) and fixed test shifts (shifts.py)."""
import numpy as np
import pytest

from training.typer import augment as A
from training.typer.crops import crop_rgb
from training.typer.shifts import SHIFTS, apply_shift
from training.typer.views import ViewConfig, random_view


def smear(seed: int = 0, h: int = 120, w: int = 160) -> np.ndarray:
    """A synthetic field: BCCD-like plasma background, a purple nucleus in a pink cell, pixel noise."""
    rng = np.random.default_rng(seed)
    img = np.empty((h, w, 3), np.float32)
    img[:] = A.REFERENCE_BACKGROUND
    yy, xx = np.mgrid[:h, :w]
    cell = (yy - 60) ** 2 + (xx - 80) ** 2 < 30 ** 2
    img[cell] = (200, 150, 180)
    img[(yy - 60) ** 2 + (xx - 80) ** 2 < 14 ** 2] = (90, 60, 140)
    img += rng.normal(0, 3, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def maxdiff(a, b) -> int:
    return int(np.abs(a.astype(int) - b.astype(int)).max())


# (name, function, tolerance in grey levels): the neutral parameters change nothing
@pytest.mark.parametrize("name,fn,tol", [
    ("hed identity", lambda x: A.hed_jitter(x, (1, 1, 1), (0, 0, 0)), 1),
    ("hue 0 (PIL HSV round trip)", lambda x: A.hue_shift(x, 0), 2),
    ("hue 360", lambda x: A.hue_shift(x, 360), 2),
    ("saturation 1", lambda x: A.saturation(x, 1), 1),
    ("gamma 1", lambda x: A.gamma(x, 1), 0),
    ("brightness 0 contrast 1", lambda x: A.brightness_contrast(x, 0, 1), 1),
    ("tint 1", lambda x: A.tint(x, (1, 1, 1)), 1),
    ("defocus 0", lambda x: A.defocus(x, 0), 0),
    ("jpeg 95", lambda x: A.jpeg(x, 95), 40),
    ("rescale 1", lambda x: A.rescale(x, 1.0), 0),
    ("white balance of a reference background", lambda x: A.white_balance(x), 2),
])
def test_neutral_parameters_keep_the_image(name, fn, tol):
    x = smear()
    y = fn(x)
    assert y.shape == x.shape and y.dtype == np.uint8
    assert maxdiff(x, y) <= tol, name


def test_hed_jitter_moves_stain_the_right_way():
    x = smear()
    nucleus = (slice(55, 65), slice(75, 85))
    blue = A.hed_jitter(x, (1.4, 0.8, 1), (0, 0, 0))[nucleus].astype(float).mean((0, 1))
    pink = A.hed_jitter(x, (0.7, 1.4, 1), (0, 0, 0))[nucleus].astype(float).mean((0, 1))
    base = x[nucleus].astype(float).mean((0, 1))
    assert blue.sum() < base.sum() < pink.sum() + 60  # more haematoxylin is darker
    assert pink[0] / pink[2] > base[0] / base[2] > blue[0] / blue[2]  # more eosin: redder relative to blue


def test_saturation_zero_is_grey_and_hue_keeps_luma():
    x = smear()
    g = A.saturation(x, 0).astype(int)
    assert np.abs(g[..., 0] - g[..., 1]).max() <= 1 and np.abs(g[..., 1] - g[..., 2]).max() <= 1
    luma = lambda im: (im.astype(float) @ [0.299, 0.587, 0.114]).mean()  # noqa: E731
    assert abs(luma(A.hue_shift(x, 40)) - luma(x)) < 8.0
    assert maxdiff(A.hue_shift(x, 40), x) > 10


def test_gamma_and_brightness_move_the_mean():
    x = smear()
    assert A.gamma(x, 1.5).mean() < x.mean() < A.gamma(x, 0.7).mean()
    assert A.brightness_contrast(x, 0.1, 1).mean() > x.mean() + 20


def test_white_balance_undoes_a_tinted_lamp():
    x = smear()
    tinted = A.tint(x, (0.7, 0.95, 1.2))
    before = A.background_rgb(tinted)
    after = A.background_rgb(A.white_balance(tinted))
    ref = np.asarray(A.REFERENCE_BACKGROUND)
    assert np.abs(before - ref).max() > 20
    assert np.abs(after - ref).max() < 3


def test_background_rgb_is_the_brightest_fifth():
    img = np.zeros((10, 10, 3), np.uint8)
    img[:2] = (250, 240, 230)  # 20 % of the pixels
    img[2:] = (100, 100, 100)
    assert np.allclose(A.background_rgb(img, 0.2), (250, 240, 230))


def test_blur_keeps_the_mean_and_removes_detail():
    x = smear()
    for y in (A.defocus(x, 3.0), A.motion_blur(x, 6, 30)):
        assert abs(y.astype(float).mean() - x.astype(float).mean()) < 1.0
        assert np.abs(np.diff(y.astype(float), axis=1)).mean() < np.abs(np.diff(x.astype(float), axis=1)).mean()


def test_rescale_loses_resolution_but_keeps_the_shape():
    board = ((np.indices((64, 64)).sum(0) % 2) * 255).astype(np.uint8)
    x = np.repeat(board[..., None], 3, -1)
    y = A.rescale(x, 0.25)
    assert y.shape == x.shape
    assert y.astype(float).std() < 20 < x.astype(float).std()
    assert A.downscale(x, 0.25).shape == (16, 16, 3)


def test_noise_has_the_asked_spread_and_follows_the_seed():
    x = np.full((200, 200, 3), 100, np.uint8)
    a = A.sensor_noise(x, np.random.default_rng(3), read_sigma=4.0, photons=0.0)
    b = A.sensor_noise(x, np.random.default_rng(3), read_sigma=4.0, photons=0.0)
    assert np.array_equal(a, b)
    assert abs(a.astype(float).std() - 4.0) < 0.3 and abs(a.astype(float).mean() - 100) < 0.3


def test_jpeg_30_is_lossier_than_95():
    x = smear()
    assert np.abs(A.jpeg(x, 30).astype(int) - x).mean() > np.abs(A.jpeg(x, 95).astype(int) - x).mean()


def test_random_view_shape_seed_and_basic_config():
    x = smear()
    box = np.array([50, 30, 110, 90], np.float32)
    cfg = ViewConfig.robust()
    a = random_view(x, box, np.random.default_rng(5), 64, cfg)
    b = random_view(x, box, np.random.default_rng(5), 64, cfg)
    assert a.shape == (64, 64, 3) and a.dtype == np.uint8 and np.array_equal(a, b)
    # basic with no box jitter: the crop rule's crop, up to rotation/flip
    still = ViewConfig(**{**ViewConfig.basic().__dict__, "centre_jitter": 0.0, "side_range": (1.0, 1.0)})
    v = random_view(x, box, np.random.default_rng(1), 64, still)
    c = crop_rgb(x, box, 64)
    views = [np.rot90(c, k) for k in range(4)]
    views += [v_[:, ::-1] for v_ in views]
    assert any(np.array_equal(v, w) for w in views)


def test_random_view_scale_branch_blurs_a_small_cell():
    x = smear()
    box = np.array([50, 30, 110, 90], np.float32)
    off = ViewConfig(**{**ViewConfig.basic().__dict__, "centre_jitter": 0.0, "side_range": (1.0, 1.0)})
    tiny = ViewConfig(**{**off.__dict__, "p_scale": 1.0, "cell_px": (12.0, 12.0)})
    sharp = random_view(x, box, np.random.default_rng(0), 64, off).astype(float)
    soft = random_view(x, box, np.random.default_rng(0), 64, tiny).astype(float)
    assert np.abs(np.diff(soft, axis=1)).mean() < 0.7 * np.abs(np.diff(sharp, axis=1)).mean()


@pytest.mark.parametrize("name", list(SHIFTS))
def test_every_shift_is_fixed_and_keeps_the_shape(name):
    x = smear()
    a, b = apply_shift(name, x, white_balance=False), apply_shift(name, x, white_balance=False)
    assert a.shape == x.shape and a.dtype == np.uint8 and np.array_equal(a, b)
    assert (maxdiff(a, x) == 0) == (name == "none")
    assert apply_shift(name, x, white_balance=True).shape == x.shape


def test_unknown_shift_names_the_known_ones():
    with pytest.raises(KeyError, match="unknown shift 'sepia'.*bluish background"):
        apply_shift("sepia", smear(), white_balance=False)

"""Leukocyte typer: the crop rule (twin of src/detect/typer-crop.ts), shapes, TTA invariance, ONNX parity."""
import json
import os

import numpy as np
import pytest
import torch

from training.ort_node import REPO, ort_run
from training.typer.crops import crop_rgb, crop_square
from training.typer.export import export_onnx
from training.typer.model import DihedralTTA, TyperNet


@pytest.mark.parametrize("box,w,h,pad,want", [
    ([100, 100, 200, 180], 640, 480, 0.15, (93, 83, 115)),   # inside
    ([-10, 100, 50, 160], 640, 480, 0.15, (0, 96, 69)),      # left edge: shifted inside
    ([600, 440, 650, 490], 640, 480, 0.15, (583, 423, 57)),  # corner
    ([0, 0, 700, 500], 640, 480, 0.15, (110, 0, 480)),       # larger than the frame
    ([10.5, 10, 20.5, 20], 100, 100, 0.0, (11, 10, 10)),     # half pixel rounds up
    ([5, 5, 5, 5], 100, 100, 0.15, (4, 4, 2)),               # degenerate
])
def test_crop_square(box, w, h, pad, want):
    assert crop_square(box, w, h, pad) == want


def test_crop_rgb_size_and_content():
    img = np.zeros((480, 640, 3), np.uint8)
    img[100:200, 100:200] = 200
    c = crop_rgb(img, [100, 100, 200, 200], 64)
    assert c.shape == (64, 64, 3) and c.dtype == np.uint8
    assert c[32, 32, 0] == 200 and c[0, 0, 0] < 200  # the cell in the middle, background at the corner


def test_shapes_and_tta_invariance():
    torch.manual_seed(0)
    net = TyperNet().eval()
    tta = DihedralTTA(net).eval()
    x = torch.randn(3, 3, 64, 64)
    with torch.no_grad():
        assert net(x).shape == (3, 5)
        a = tta(x)
        for y in (x.flip(-1), x.flip(-2), x.rot90(1, (2, 3)), x.transpose(2, 3)):
            assert torch.allclose(tta(y), a, atol=1e-5)


def test_onnx_runtime_matches_pytorch(tmp_path):
    torch.manual_seed(0)
    model = DihedralTTA(TyperNet()).eval()
    path = tmp_path / "typer.onnx"
    export_onnx(model, 64, str(path))
    x = torch.randn(3, 3, 64, 64)
    with torch.no_grad():
        want = model(x)
    got = ort_run(str(path), x)["logits"]
    assert got.shape == (3, 5)
    assert np.allclose(got, want.numpy(), atol=1e-4)


def test_evaluate_runs_the_shipped_typer_file():
    """training.evaluate --typer models/leukoscan-typer.onnx: the shipped file, run by
    onnxruntime-node on crops made by the Python crop rule, gives the export's golden logits."""
    from PIL import Image
    from training.evaluate import load_typer
    from training.typer.evaluate import to_input
    golden = os.path.join(REPO, "test", "fixtures", "golden-typer", "leukoscan-typer")
    typer, size = load_typer(os.path.join(REPO, "models", "leukoscan-typer.onnx"))
    assert size == 64
    with open(os.path.join(golden, "typer.json")) as f:
        want = json.load(f)
    img = np.asarray(Image.open(os.path.join(golden, "input.png")).convert("RGB"))
    crops = [crop_rgb(img, b, size) for b in want["boxes_xyxy"]]
    assert [int(c.astype(np.int64).sum()) for c in crops] == want["crop_sums"]
    with torch.no_grad():
        got = typer(to_input(crops))
    np.testing.assert_allclose(got.numpy(), np.array(want["logits"]), atol=2e-3)


def test_sampling_prior_and_prior_shift():
    from training.typer.model import PriorShift
    from training.typer.train import sampling_prior
    counts = {"BCCD": [100, 25, 0, 0, 0], "PBC": [5, 5, 5, 5, 5]}
    p = sampling_prior(counts, 0.5)
    # BCCD: sqrt(100) : sqrt(25) = 10 : 5 -> 2/3, 1/3; PBC uniform 1/5
    assert np.allclose(p, [0.5 * 2 / 3 + 0.1, 0.5 / 3 + 0.1, 0.1, 0.1, 0.1])
    assert abs(p.sum() - 1) < 1e-9
    net = torch.nn.Identity()
    shifted = PriorShift(net, p, [0.2] * 5)
    x = torch.zeros(1, 5)
    assert torch.allclose(shifted(x), torch.log(torch.tensor([0.2] * 5)) - torch.log(torch.tensor(p, dtype=torch.float32)))

"""Typer weights recovered from an exported ONNX file (training/typer/recover.py), and the robust splits."""
import numpy as np
import pytest
import torch

from training.typer.export import export_onnx
from training.typer.model import DihedralTTA, PriorShift, TyperNet
from training.typer.recover import recover

from .shared_data import DATA, needs_data


def distinctive_net(seed: int) -> TyperNet:
    """A TyperNet with random weights and BatchNorm statistics far from the defaults."""
    torch.manual_seed(seed)
    net = TyperNet()
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5), m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5), m.bias.uniform_(-0.3, 0.3)
    return net.eval()


def test_recovered_weights_give_the_files_logits_in_eval_and_close_in_training(tmp_path):
    net = distinctive_net(0)
    shipped = PriorShift(DihedralTTA(net), [0.2] * 5, [0.5, 0.2, 0.1, 0.15, 0.05]).eval()
    path = tmp_path / "typer.onnx"
    export_onnx(shipped, 64, str(path))
    calib = torch.randn(32, 3, 64, 64)
    got = recover(str(path), calib)
    x = torch.randn(4, 3, 64, 64)
    with torch.no_grad():
        want = net(x)
        assert torch.allclose(got.eval()(x), want, atol=1e-4)
        # train mode normalises with the batch's statistics: on the calibration batch, close to eval
        got.train()
        got.head[2].p = 0.0
        assert torch.allclose(got(calib), net(calib), atol=0.05 * float(net(calib).abs().max()))
    other = distinctive_net(1)
    with torch.no_grad():
        assert not torch.allclose(other(x), want, atol=1e-2)  # the check above can fail


def test_recover_refuses_a_file_of_another_shape(tmp_path):
    net = TyperNet(widths=(16, 32, 64, 128)).eval()
    path = tmp_path / "small.onnx"
    export_onnx(PriorShift(DihedralTTA(net), [0.2] * 5, [0.2] * 5), 64, str(path))
    with pytest.raises(SystemExit, match="fused convs|has shape"):
        recover(str(path), torch.randn(2, 3, 64, 64))


@needs_data("pbc_crops")
def test_robust_splits_hold_out_validation_and_never_read_test(monkeypatch):
    from training.typer import crops
    asked = []
    for fn in ("bccd", "txl"):
        real = getattr(crops.sources, fn)
        monkeypatch.setattr(crops.sources, fn, lambda split, *a, _r=real, _n=fn, **k: asked.append((_n, split)) or _r(split, *a, **k))
    train, val = crops.robust_splits(DATA)
    assert sorted(asked) == [("bccd", "trainval"), ("txl", "train"), ("txl", "val")]
    key = lambda s: s[0] if isinstance(s[0], str) else (id(s[0]), tuple(s[1]))  # noqa: E731
    assert not {key(s) for s in train} & {key(s) for s in val}
    assert not {id(s[0]) for s in train if s[3] == "BCCD"} & {id(s[0]) for s in val if s[3] == "BCCD"}
    assert {s[3] for s in val} == {"BCCD", "PBC", "PBC-crops"}
    assert sum(s[3] == "PBC-crops" for s in val) == 5 * 60
    assert {s[2] for s in train if s[3] == "BCCD"} == {0, 1, 2, 3, 4}

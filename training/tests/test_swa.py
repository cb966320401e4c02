"""Weight averaging across runs (training/swa.py)."""
import pytest
import torch

from training.config import get_config
from training.checkpoints import load_checkpoint
from training.models.mfds_detr import MFDSDETR
from training.swa import average_checkpoints, average_state_dicts, main

from .shared_data import bccd_trainval_root


def test_mean_of_float_tensors_last_of_integer_buffers():
    a = {"w": torch.tensor([1.0, 2.0]), "n": torch.tensor(3)}
    b = {"w": torch.tensor([3.0, 6.0]), "n": torch.tensor(7)}
    c = {"w": torch.tensor([5.0, 1.0]), "n": torch.tensor(9)}
    out = average_state_dicts([a, b, c])
    assert torch.allclose(out["w"], torch.tensor([3.0, 3.0]))
    assert int(out["n"]) == 9
    assert torch.equal(a["w"], torch.tensor([1.0, 2.0]))  # inputs untouched


def test_mismatched_state_dicts_are_refused():
    with pytest.raises(ValueError, match="other keys"):
        average_state_dicts([{"w": torch.zeros(2)}, {"v": torch.zeros(2)}])
    with pytest.raises(ValueError, match="shape"):
        average_state_dicts([{"w": torch.zeros(2)}, {"w": torch.zeros(3)}])
    with pytest.raises(ValueError, match="nothing"):
        average_state_dicts([])


def _checkpoint(path, cfg, seed, ema: bool):
    torch.manual_seed(seed)
    sd = MFDSDETR(cfg).state_dict()
    ck = {"model": sd, "cfg": cfg, "state": {"iter": seed * 10, "elapsed_s": 60.0}}
    if ema:  # the run's EMA is what it is evaluated with, so that is what gets averaged
        ck["ema"] = {"model": {k: v + 1 if v.dtype.is_floating_point else v for k, v in sd.items()}}
    torch.save(ck, path)
    return ck


def test_averaged_checkpoint_loads_and_holds_the_mean(tmp_path):
    cfg = get_config("tiny")
    p1, p2, out = str(tmp_path / "a.pt"), str(tmp_path / "b.pt"), str(tmp_path / "swa" / "last.pt")
    c1 = _checkpoint(p1, cfg, 1, ema=False)
    # optimiser, loss and data settings may differ between runs
    c2 = _checkpoint(p2, dict(cfg, lr=1e-5, cls_target="iou", loss_focal=1.0, bccd_weight=0.75), 2, ema=True)
    main([p1, p2, "--out", out])
    model, loaded_cfg = load_checkpoint(out)
    assert loaded_cfg == c2["cfg"]
    k = "backbone.body.conv1.weight" if "backbone.body.conv1.weight" in c1["model"] else next(iter(c1["model"]))
    want = (c1["model"][k] + c2["ema"]["model"][k]) / 2
    assert torch.allclose(model.state_dict()[k], want)
    ck = torch.load(out)
    assert [r["weights"] for r in ck["state"]["swa"]] == ["model", "ema"]
    assert ck["state"]["iter"] == 20


def test_other_architectures_are_refused(tmp_path):
    cfg = get_config("tiny")
    p1, p2 = str(tmp_path / "a.pt"), str(tmp_path / "b.pt")
    _checkpoint(p1, cfg, 1, ema=False)
    torch.save({"model": {}, "cfg": dict(cfg, d_model=64), "state": {"iter": 0}}, p2)
    with pytest.raises(SystemExit, match="d_model"):
        average_checkpoints([p1, p2])
    with pytest.raises(SystemExit, match="not found"):
        average_checkpoints([p1, str(tmp_path / "missing.pt")])


def test_export_card_says_the_weights_are_an_average(tmp_path, monkeypatch):
    import json
    from training.export import main as export_main
    cfg = get_config("tiny")
    p1, p2, out = str(tmp_path / "v1" / "last.pt"), str(tmp_path / "v2" / "last.pt"), str(tmp_path / "swa.pt")
    (tmp_path / "v1").mkdir(), (tmp_path / "v2").mkdir()
    _checkpoint(p1, cfg, 1, ema=False), _checkpoint(p2, cfg, 2, ema=True)
    main([p1, p2, "--out", out])
    monkeypatch.setenv("LEUKOSCAN_CACHE", str(tmp_path / "cache"))
    export_main(["--checkpoint", out, "--name", "tiny-swa", "--models-dir", str(tmp_path / "models"),
                 "--golden-dir", str(tmp_path / "golden"), "--data", bccd_trainval_root(tmp_path)])
    card = json.loads((tmp_path / "models" / "tiny-swa.json").read_text())
    assert card["training"]["weights"].startswith("mean of the final weights of 2 successive")
    assert [(r["run"], r["weights"]) for r in card["training"]["averaged"]] == [("v1", "model"), ("v2", "ema")]


def test_training_keys_do_not_change_the_network():
    """config.TRAINING_KEYS (which swa lets differ) are real config keys and leave every parameter shape alone."""
    from training.config import BASE, TRAINING_KEYS
    assert TRAINING_KEYS <= set(BASE)
    base = {k: v.shape for k, v in MFDSDETR(get_config("tiny")).state_dict().items()}
    changed = {"aux_loss": False, "cls_target": "iou", "batch_size": 2}
    cfg = get_config("tiny", **{k: changed.get(k, BASE[k] * 0.5 if isinstance(BASE[k], float) else BASE[k])
                                for k in TRAINING_KEYS})
    assert {k: v.shape for k, v in MFDSDETR(cfg).state_dict().items()} == base

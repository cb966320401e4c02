"""training.extend_decoder: the appended layer starts as a copy, only it trains, and the cached path
computes what the full model computes."""
import torch

from training.config import get_config
from training.tools.extend_decoder import cache_view, extended_model, new_layer_outputs, train_last_layer
from training.losses import set_criterion
from training.models.mfds_detr import MFDSDETR
from training.tests.test_overfit import _scene


def _base():
    torch.manual_seed(0)
    cfg = get_config("tiny")
    model = MFDSDETR(cfg)
    model.eval()
    return model, cfg


def test_extended_model_keeps_old_layers_and_copies_the_last():
    model, cfg = _base()
    ext = extended_model(model, cfg)
    assert ext.cfg["dec_layers"] == cfg["dec_layers"] + 1 and len(ext.transformer.decoder) == cfg["dec_layers"] + 1
    x = torch.stack([_scene(1)[0], _scene(2)[0]])
    with torch.no_grad():
        l0, b0 = model.forward_all(x)
        l1, b1 = ext.forward_all(x)
    assert torch.allclose(l0, l1[:-1], atol=1e-6) and torch.allclose(b0, b1[:-1], atol=1e-6)
    last = cfg["dec_layers"] - 1
    for a, b in zip(ext.transformer.decoder[last].parameters(), ext.transformer.decoder[last + 1].parameters()):
        assert torch.equal(a, b) and a.data_ptr() != b.data_ptr()


def test_only_the_new_layer_trains_and_the_cache_matches_the_full_model():
    model, cfg = _base()
    ext = extended_model(model, cfg)
    rows = [cache_view(model, *_scene(s)) for s in (1, 2)]
    before = {k: v.clone() for k, v in ext.state_dict().items()}
    with torch.no_grad():
        logits, boxes = new_layer_outputs(ext, rows)
    first, _ = set_criterion(logits[None], boxes[None], [r["target"] for r in rows], ext.cfg)
    train_last_layer(ext, ext.cfg, rows, iters=60, lr=1e-3, batch_size=2, seed=0, log=lambda s: None)
    last = ext.cfg["dec_layers"] - 1
    new_keys = [f"transformer.{m}.{last}." for m in ("decoder", "class_heads", "box_heads")]
    after = ext.state_dict()
    changed = [k for k in after if not torch.equal(after[k], before[k])]
    assert changed and all(any(k.startswith(p) for p in new_keys) for k in changed), changed
    with torch.no_grad():
        logits, boxes = new_layer_outputs(ext, rows)
        loss, _ = set_criterion(logits[None], boxes[None], [r["target"] for r in rows], ext.cfg)
        full_l, full_b = ext.forward_all(torch.stack([_scene(1)[0], _scene(2)[0]]))
    assert float(loss) < 0.7 * float(first)
    # the cache holds memory in float16: the full model agrees to that precision
    assert torch.allclose(full_b[-1], boxes, atol=2e-2) and torch.allclose(full_l[-1], logits, atol=5e-2)


def test_export_history_names_the_extension(tmp_path):
    from training.cards import training_history
    base = {"model": {}, "cfg": {}, "state": {"iter": 10, "elapsed_s": 120.0}}
    torch.save(base, tmp_path / "base.pt")
    ck = {"extended_from": {"checkpoint": str(tmp_path / "base.pt"), "views": 5, "iters": 1500}}
    h = training_history(ck, str(tmp_path / "card.json"))
    assert h["iterations"] == 10 and h["extendedDecoder"]["base"] == "base.pt" and h["extendedDecoder"]["iters"] == 1500
    missing = training_history({"extended_from": {"checkpoint": str(tmp_path / "gone.pt")}}, str(tmp_path / "card.json"))
    assert "not found" in missing["note"]

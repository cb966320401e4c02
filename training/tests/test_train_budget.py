"""training.train with an iteration budget (--iters): stops there, drops the lr at lr_drop_frac of it, resumes."""
import torch

from training.train import main

from .shared_data import bccd_trainval_root


def test_iteration_budget_lr_drop_and_resume(tmp_path, capsys):
    data = bccd_trainval_root(tmp_path)  # any annotated BCCD fields do: the demo slide's without ../shared/data
    common = ["--config", "tiny", "--run", "t", "--cache", str(tmp_path), "--no-txl", "--eval-every", "0", "--data", data,
              "--threads", "1", "--set", "lr_drop_frac=0.5", "batch_size=1"]
    main(common + ["--iters", "2"])
    ck = torch.load(tmp_path / "t" / "last.pt")
    assert ck["state"]["iter"] == 2
    assert ck["state"]["lr_dropped"]  # dropped when iteration 1 of 2 was done
    assert abs(ck["opt"]["param_groups"][0]["lr"] - 2e-5) < 1e-12
    main(common + ["--iters", "3"])  # same run, larger budget: resumes and does one more
    assert torch.load(tmp_path / "t" / "last.pt")["state"]["iter"] == 3
    out = capsys.readouterr().out
    assert "[resume]" in out and "[done] 3 iterations" in out

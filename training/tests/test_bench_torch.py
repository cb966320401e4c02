"""training.bench_torch: the --config path builds a random-weight model of that config (the paper-size
speed row of `leukoscan bench --paper`), and refuses an unknown config by name."""
import json

import pytest

from training import bench_torch
from training.export import parse_input_size


def test_random_model_of_a_config_runs_and_prints_its_timing(capsys):
    bench_torch.main(["--config", "tiny", "--threads", "1", "--iters", "2", "--warmup", "0"])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["config"] == "tiny" and out["input"] == [128, 96]
    assert out["ms_p50"] > 0


def test_unknown_config_is_refused_by_name():
    with pytest.raises(SystemExit, match="--config 'nope'"):
        bench_torch.random_model("nope")


@pytest.mark.parametrize("text, want", [
    ("384x288", {"input_w": 384, "input_h": 288}),  # 0.75 of the trained 512x384
    ("320X240", {"input_w": 320, "input_h": 240}),  # upper-case X accepted
])
def test_export_input_size_parses(text, want):
    assert parse_input_size(text) == want


@pytest.mark.parametrize("text", ["384", "300x240", "384x-288", "axb"])
def test_export_input_size_refuses_bad_sizes(text):
    with pytest.raises(SystemExit, match="--input"):
        parse_input_size(text)

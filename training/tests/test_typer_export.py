"""The typer card's cross-device rows (training/typer/export.py cross_device) from robust_eval's JSON."""
import json

import pytest

from training.typer.export import cross_device


def rows_file(tmp_path, name, typers):
    row = {"set": "BCCD test", "shift": "JPEG 30", "wb": True, "n": 2,
           "typers": {t: {"accuracy": acc, "right": int(acc * 2), "confusion": [[1]]} for t, acc in typers.items()}}
    path = tmp_path / name
    path.write_text(json.dumps({"typers": {t: "/x" for t in typers}, "rows": [row]}))
    return str(path)


def test_cross_device_takes_the_named_column_from_every_file(tmp_path):
    a = rows_file(tmp_path, "a.json", {"shipped": 0.5, "new": 1.0})
    b = rows_file(tmp_path, "b.json", {"shipped": 0.0, "new": 0.5})
    got = cross_device([a, b], "new")
    assert [r["accuracy"] for r in got] == [1.0, 0.5]
    assert got[0] == {"set": "BCCD test", "shift": "JPEG 30", "whiteBalance": True, "n": 2, "accuracy": 1.0,
                      "confusion": [[1]]}


def test_cross_device_without_a_name_refuses_a_file_of_several_typers(tmp_path):
    a = rows_file(tmp_path, "a.json", {"shipped": 0.5, "new": 1.0})
    with pytest.raises(SystemExit, match="pick one with --cross-device-typer"):
        cross_device([a])
    with pytest.raises(SystemExit, match="typer columns"):
        cross_device([a], "other")

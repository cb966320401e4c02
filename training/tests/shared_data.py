"""Where the training tests find the full datasets: LEUKOSCAN_DATA, else ../shared/data beside the repository.

A public clone has neither; tests that need them skip with a reason that says so (`needs_data`),
so a clean clone's `npm test` passes and shows what it did not run.
"""
import os

import pytest

DATA = os.environ.get("LEUKOSCAN_DATA") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")
REASON = "needs ../shared/data (or LEUKOSCAN_DATA)"


def has(*parts: str) -> bool:
    """True when DATA/<parts...> exists."""
    return os.path.exists(os.path.join(DATA, *parts))


def needs_data(*parts: str):
    """Skips the test unless DATA/<parts...> exists, naming what is missing."""
    return pytest.mark.skipif(not has(*parts), reason=f"{REASON}: {os.path.join(*parts)} missing")


DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "demo")


def bccd_trainval_root(tmp_path) -> str:
    """A data root with a BCCD trainval split: DATA when it has one, else the demo slide's 20 fields
    (demo/, in every clone) listed as trainval, for tests that only need some real annotated fields."""
    if has("bccd", "ImageSets", "Main", "trainval.txt"):
        return DATA
    root = tmp_path / "demo-as-trainval"
    (root / "bccd" / "ImageSets" / "Main").mkdir(parents=True)
    for name in ("Annotations", "JPEGImages", "wbc_types.csv"):
        os.symlink(os.path.abspath(os.path.join(DEMO, "bccd", name)), root / "bccd" / name)
    with open(os.path.join(DEMO, "bccd", "ImageSets", "Main", "test.txt")) as f:
        (root / "bccd" / "ImageSets" / "Main" / "trainval.txt").write_text(f.read())
    return str(root)

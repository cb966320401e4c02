"""training/coco_eval.py: ties between equal scores are broken in sorted image order, whatever the split order."""
import numpy as np

from training.coco_eval import coco_eval


def test_ties_across_images_do_not_depend_on_the_split_order():
    box = np.array([[100.0, 100.0, 50.0, 50.0]])
    far = np.array([[300.0, 300.0, 50.0, 50.0]])
    gt = lambda: {"boxes": box, "labels": np.array(["WBC"], dtype=object)}  # noqa: E731
    # the same score on a hit (image b) and a miss (image a): the order of the two decides the AP
    dts = {
        "a": {"boxes": far, "labels": np.array(["WBC"], dtype=object), "scores": np.array([0.5])},
        "b": {"boxes": box, "labels": np.array(["WBC"], dtype=object), "scores": np.array([0.5])},
    }
    sorted_order = coco_eval({"a": gt(), "b": gt()}, dts, ["WBC"])
    split_order = coco_eval({"b": gt(), "a": gt()}, dts, ["WBC"])
    assert sorted_order == split_order
    assert 0 < sorted_order["AP"] < 100
